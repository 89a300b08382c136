import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";
import type { ConnectionState } from "../realtime/types.js";
import { type ChatRoomState, ChatRoomStore } from "../stores/chat-room-store.js";
import { type NotificationsState, NotificationsStore } from "../stores/notifications-store.js";
import { type PresenceMap, PresenceStore } from "../stores/presence-store.js";
import { useSoftchat } from "./provider.js";

/** The realtime connection state, for a banner: connecting, connected, reconnecting, polling or offline. */
export function useConnectionState(): ConnectionState {
  const { realtime } = useSoftchat();
  const subscribe = useCallback((onChange: () => void) => realtime.onStateChange(onChange), [realtime]);
  return useSyncExternalStore(subscribe, () => realtime.state);
}

export interface RealTimeChat extends ChatRoomState {
  send(text: string): Promise<void>;
  retry(clientId: string): Promise<void>;
  discard(clientId: string): void;
  loadOlder(): Promise<void>;
  setTyping(typing: boolean): void;
}

/**
 * A room's conversation: messages (oldest first, mine with a per-message status: sending, queued, failed,
 * sent), who is typing, older pages on demand. Joins the room while mounted.
 */
export function useRealTimeChat(roomId: string): RealTimeChat {
  const client = useSoftchat();
  const store = useMemo(() => new ChatRoomStore(client, roomId), [client, roomId]);
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return useMemo(
    () => ({
      ...state,
      send: (text: string) => store.send(text),
      retry: (clientId: string) => store.retry(clientId),
      discard: (clientId: string) => store.discard(clientId),
      loadOlder: () => store.loadOlder(),
      setTyping: (typing: boolean) => store.setTyping(typing),
    }),
    [state, store],
  );
}

export interface NotificationsView extends NotificationsState {
  markRead(notificationId: string): Promise<void>;
  loadMore(): Promise<void>;
  refresh(): Promise<void>;
}

/** My notifications with a live unread count. */
export function useNotifications(): NotificationsView {
  const client = useSoftchat();
  const store = useMemo(() => new NotificationsStore(client), [client]);
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return useMemo(
    () => ({
      ...state,
      markRead: (id: string) => store.markRead(id),
      loadMore: () => store.loadMore(),
      refresh: () => store.refresh(),
    }),
    [state, store],
  );
}

/** Presence of these users, by user id, kept live. */
export function usePresence(userIds: readonly string[]): PresenceMap {
  const client = useSoftchat();
  // A new array with the same ids on every render must not restart the store.
  const key = [...userIds].sort().join(",");
  const store = useMemo(() => new PresenceStore(client, key ? key.split(",") : []), [client, key]);
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot).users;
}
