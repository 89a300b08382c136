import { z } from "zod";
import {
  type ChatMessage,
  type ChatRoom,
  chatMessageSchema,
  clientIdSchema,
  messageTextSchema,
} from "./chat.js";
import { decimalStringSchema, uuidSchema } from "./common.js";
import type { Ack } from "./errors.js";
import { type Notification, notificationSchema } from "./notifications.js";
import type { PortfolioUpdateEvent } from "./portfolio.js";
import { PRESENCE_STATUSES, type Presence, updatePresenceBodySchema } from "./presence.js";

// Socket.IO events, both directions. Every client -> server event takes one object payload (validated by
// the schema below on the server) and an acknowledgement answered with Ack<reply>.

// ---- client -> server payloads ----
export const roomRefSchema = z.object({ roomId: uuidSchema });
export const sendMessagePayloadSchema = z.object({
  roomId: uuidSchema,
  text: messageTextSchema,
  /** Strongly advised: a resend with the same clientId never stores a second message. */
  clientId: clientIdSchema.optional(),
});
export const markRoomReadPayloadSchema = z.object({ roomId: uuidSchema, messageId: uuidSchema.optional() });
export const markNotificationReadPayloadSchema = z.object({ notificationId: uuidSchema });
export const updatePresencePayloadSchema = updatePresenceBodySchema;
/** Pair ids are `BASE-QUOTE`, e.g. `BTC-USD`. */
export const pairIdSchema = z
  .string()
  .max(32)
  .regex(/^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/, "must be a pair id such as BTC-USD");
export const pairRefSchema = z.object({ pairId: pairIdSchema });
export const priceSymbolsPayloadSchema = z.object({
  symbols: z
    .array(
      z
        .string()
        .max(32)
        .regex(/^[A-Za-z0-9/-]+$/),
    )
    .min(1)
    .max(50),
});
export const battleRefSchema = z.object({ battleId: uuidSchema });
export const battleVotePayloadSchema = z.object({ battleId: uuidSchema, participantId: uuidSchema });

// ---- server -> client payloads ----
export const messageReceivedEventSchema = z.object({ roomId: uuidSchema, message: chatMessageSchema });
/** `user_joined` and `user_left`. */
export const roomMembershipEventSchema = z.object({ roomId: uuidSchema, userId: uuidSchema });
export const typingEventSchema = z.object({ roomId: uuidSchema, userId: uuidSchema, typing: z.boolean() });
export const newNotificationEventSchema = z.object({ notification: notificationSchema });
export const userOnlineEventSchema = z.object({ userId: uuidSchema });
export const userOfflineEventSchema = z.object({ userId: uuidSchema, lastSeenAt: z.string().nullable() });
export const presenceUpdateEventSchema = z.object({ userId: uuidSchema, status: z.enum(PRESENCE_STATUSES) });
/** Sent when a client event was refused for going over the per-socket rate; the socket stays connected. */
export const rateLimitedEventSchema = z.object({ event: z.string(), retryAfterMs: z.number().int() });

export const balanceUpdateEventSchema = z.object({
  asset: z.string(),
  available: decimalStringSchema,
  pending: decimalStringSchema,
  total: decimalStringSchema,
});
export const transactionCompleteEventSchema = z.object({
  transactionId: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export const transferUpdateEventSchema = z.object({ transferId: z.string(), status: z.string() });

/** `[price, quantity]`, both decimal strings; quantity "0" removes the level. */
export const orderbookLevelSchema = z.tuple([decimalStringSchema, decimalStringSchema]);
/** A snapshot (reply to join_trading_room) or an update: absolute quantities per level, ordered by `seq`. */
export const orderbookUpdateEventSchema = z.object({
  pairId: z.string(),
  seq: z.number().int(),
  bids: z.array(orderbookLevelSchema),
  asks: z.array(orderbookLevelSchema),
});
export const tradeEventSchema = z.looseObject({
  pairId: z.string(),
  price: decimalStringSchema,
  quantity: decimalStringSchema,
});
export const orderUpdateEventSchema = z.object({
  orderId: z.string(),
  status: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export const priceUpdateEventSchema = z.object({
  symbol: z.string(),
  price: decimalStringSchema,
  /** 24 h change in percent, as a signed decimal string ("-1.25"). */
  change: z.string(),
});
export const viewerCountUpdateEventSchema = z.object({ videoId: z.string(), count: z.number().int() });
export const rewardEarnedEventSchema = z.object({ reward: z.record(z.string(), z.unknown()) });
export const battleUpdateEventSchema = z.looseObject({ battleId: z.string() });

export type RoomRef = z.infer<typeof roomRefSchema>;
export type SendMessagePayload = z.infer<typeof sendMessagePayloadSchema>;
export type MarkRoomReadPayload = z.infer<typeof markRoomReadPayloadSchema>;
export type MarkNotificationReadPayload = z.infer<typeof markNotificationReadPayloadSchema>;
export type UpdatePresencePayload = z.infer<typeof updatePresencePayloadSchema>;
export type PairRef = z.infer<typeof pairRefSchema>;
export type PriceSymbolsPayload = z.infer<typeof priceSymbolsPayloadSchema>;
export type BattleRef = z.infer<typeof battleRefSchema>;
export type BattleVotePayload = z.infer<typeof battleVotePayloadSchema>;
export type MessageReceivedEvent = z.infer<typeof messageReceivedEventSchema>;
export type RoomMembershipEvent = z.infer<typeof roomMembershipEventSchema>;
export type TypingEvent = z.infer<typeof typingEventSchema>;
export type NewNotificationEvent = z.infer<typeof newNotificationEventSchema>;
export type UserOnlineEvent = z.infer<typeof userOnlineEventSchema>;
export type UserOfflineEvent = z.infer<typeof userOfflineEventSchema>;
export type PresenceUpdateEvent = z.infer<typeof presenceUpdateEventSchema>;
export type RateLimitedEvent = z.infer<typeof rateLimitedEventSchema>;
export type BalanceUpdateEvent = z.infer<typeof balanceUpdateEventSchema>;
export type TransactionCompleteEvent = z.infer<typeof transactionCompleteEventSchema>;
export type TransferUpdateEvent = z.infer<typeof transferUpdateEventSchema>;
export type OrderbookUpdateEvent = z.infer<typeof orderbookUpdateEventSchema>;
export type TradeEvent = z.infer<typeof tradeEventSchema>;
export type OrderUpdateEvent = z.infer<typeof orderUpdateEventSchema>;
export type PriceUpdateEvent = z.infer<typeof priceUpdateEventSchema>;
export type ViewerCountUpdateEvent = z.infer<typeof viewerCountUpdateEventSchema>;
export type RewardEarnedEvent = z.infer<typeof rewardEarnedEventSchema>;
export type BattleUpdateEvent = z.infer<typeof battleUpdateEventSchema>;

/** Each client -> server event: its payload and the `data` of a successful acknowledgement. */
export interface ClientEventMap {
  join_room: { payload: RoomRef; reply: { room: ChatRoom } };
  leave_room: { payload: RoomRef; reply: RoomRef };
  send_message: { payload: SendMessagePayload; reply: { message: ChatMessage } };
  start_typing: { payload: RoomRef; reply: TypingEvent };
  stop_typing: { payload: RoomRef; reply: TypingEvent };
  mark_room_read: { payload: MarkRoomReadPayload; reply: { roomId: string; unreadCount: number } };
  mark_notification_read: { payload: MarkNotificationReadPayload; reply: { notification: Notification } };
  update_presence: { payload: UpdatePresencePayload; reply: Presence };
  join_trading_room: { payload: PairRef; reply: OrderbookUpdateEvent };
  leave_trading_room: { payload: PairRef; reply: PairRef };
  subscribe_prices: { payload: PriceSymbolsPayload; reply: PriceSymbolsPayload };
  unsubscribe_prices: { payload: PriceSymbolsPayload; reply: PriceSymbolsPayload };
  join_battle: { payload: BattleRef; reply: Record<string, unknown> };
  battle_vote: { payload: BattleVotePayload; reply: Record<string, unknown> };
}
export type ClientEventName = keyof ClientEventMap;
export type ClientEventPayload<E extends ClientEventName> = ClientEventMap[E]["payload"];
export type ClientEventReply<E extends ClientEventName> = ClientEventMap[E]["reply"];

/** The payload schema of every client -> server event: the server validates with these. */
export const clientEventSchemas = {
  join_room: roomRefSchema,
  leave_room: roomRefSchema,
  send_message: sendMessagePayloadSchema,
  start_typing: roomRefSchema,
  stop_typing: roomRefSchema,
  mark_room_read: markRoomReadPayloadSchema,
  mark_notification_read: markNotificationReadPayloadSchema,
  update_presence: updatePresencePayloadSchema,
  join_trading_room: pairRefSchema,
  leave_trading_room: pairRefSchema,
  subscribe_prices: priceSymbolsPayloadSchema,
  unsubscribe_prices: priceSymbolsPayloadSchema,
  join_battle: battleRefSchema,
  battle_vote: battleVotePayloadSchema,
} satisfies { [E in ClientEventName]: z.ZodType<ClientEventPayload<E>> };

/** Socket.IO's typed map for events the client emits: `socket.emit(event, payload, ack)`. */
export type ClientToServerEvents = {
  [E in ClientEventName]: (
    payload: ClientEventPayload<E>,
    ack: (res: Ack<ClientEventReply<E>>) => void,
  ) => void;
};

/** Socket.IO's typed map for events the server emits. */
export interface ServerToClientEvents {
  message_received: (event: MessageReceivedEvent) => void;
  user_joined: (event: RoomMembershipEvent) => void;
  user_left: (event: RoomMembershipEvent) => void;
  typing: (event: TypingEvent) => void;
  new_notification: (event: NewNotificationEvent) => void;
  user_online: (event: UserOnlineEvent) => void;
  user_offline: (event: UserOfflineEvent) => void;
  presence_update: (event: PresenceUpdateEvent) => void;
  rate_limited: (event: RateLimitedEvent) => void;
  balance_update: (event: BalanceUpdateEvent) => void;
  transaction_complete: (event: TransactionCompleteEvent) => void;
  transfer_update: (event: TransferUpdateEvent) => void;
  orderbook_update: (event: OrderbookUpdateEvent) => void;
  trade: (event: TradeEvent) => void;
  order_update: (event: OrderUpdateEvent) => void;
  price_update: (event: PriceUpdateEvent) => void;
  portfolio_update: (event: PortfolioUpdateEvent) => void;
  viewer_count_update: (event: ViewerCountUpdateEvent) => void;
  reward_earned: (event: RewardEarnedEvent) => void;
  battle_update: (event: BattleUpdateEvent) => void;
}
export type ServerEventName = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/** Socket.IO rooms the server emits to. */
export const socketRooms = {
  user: (userId: string) => `user:${userId}`,
  chatRoom: (roomId: string) => `room:${roomId}`,
  tradingPair: (pairId: string) => `trading:${pairId}`,
  prices: (symbol: string) => `prices:${symbol}`,
  battle: (battleId: string) => `battle:${battleId}`,
};
