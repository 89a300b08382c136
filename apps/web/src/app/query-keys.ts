/** TanStack Query keys, in one place so live events update exactly what the screens read. */
export const queryKeys = {
  meta: ["meta"] as const,
  unreadCount: ["notifications", "unread-count"] as const,
  notifications: ["notifications", "list"] as const,
  rooms: ["chat", "rooms"] as const,
  publicRooms: ["chat", "public-rooms"] as const,
  messages: (roomId: string) => ["chat", "messages", roomId] as const,
  roomUsers: (roomId: string) => ["chat", "users", roomId] as const,
  balances: ["wallet", "balances"] as const,
  transactions: (asset: string) => ["wallet", "transactions", asset] as const,
};
