import type { ChatMessage, ChatRoomSummary, Page } from "@softchat/contracts";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { queryKeys } from "../../app/query-keys.js";

export type MessagePages = InfiniteData<Page<ChatMessage>, unknown>;

/** Message order within a room: `seq` is a decimal string that only grows. */
export function compareSeq(a: ChatMessage, b: ChatMessage): number {
  return a.seq.length - b.seq.length || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);
}

/** The cached history as one list, oldest first, without duplicates. */
export function chronological(data: MessagePages | undefined): ChatMessage[] {
  if (!data) return [];
  const byId = new Map<string, ChatMessage>();
  for (const page of data.pages) for (const m of page.items) byId.set(m.id, m);
  return [...byId.values()].sort(compareSeq);
}

/** Adds a message that arrived live (or was just confirmed) to its room's cached history. */
export function addMessageToCache(queryClient: QueryClient, message: ChatMessage): void {
  queryClient.setQueryData<MessagePages>(queryKeys.messages(message.roomId), (data) => {
    if (!data || data.pages.length === 0) return data;
    if (data.pages.some((p) => p.items.some((m) => m.id === message.id))) return data;
    const [first, ...rest] = data.pages;
    if (!first) return data;
    return { ...data, pages: [{ ...first, items: [message, ...first.items] }, ...rest] };
  });
}

/**
 * Updates the room list for a new message: latest message and order always; the unread count only for a
 * room the user is not looking at, and never for their own messages.
 */
export function bumpRoomSummary(
  queryClient: QueryClient,
  message: ChatMessage,
  options: { viewing: boolean; mine: boolean },
): boolean {
  let known = false;
  queryClient.setQueryData<ChatRoomSummary[]>(queryKeys.rooms, (rooms) => {
    if (!rooms) return rooms;
    const room = rooms.find((r) => r.id === message.roomId);
    if (!room) return rooms;
    known = true;
    if (room.lastMessage && compareSeq(room.lastMessage, message) >= 0) return rooms;
    const unread = options.viewing || options.mine ? room.unreadCount : room.unreadCount + 1;
    const updated = { ...room, lastMessage: message, unreadCount: options.viewing ? 0 : unread };
    return [updated, ...rooms.filter((r) => r.id !== room.id)];
  });
  return known;
}

/** Sets a room's unread count (after reading it). */
export function setRoomUnread(queryClient: QueryClient, roomId: string, unreadCount: number): void {
  queryClient.setQueryData<ChatRoomSummary[]>(queryKeys.rooms, (rooms) =>
    rooms?.map((r) => (r.id === roomId ? { ...r, unreadCount } : r)),
  );
}
