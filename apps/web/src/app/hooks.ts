import type { ServerEventName, ServerEventPayload, User } from "@softchat/contracts";
import type { ConnectionState, SyncInfo } from "@softchat/sdk";
import { useEffect, useRef, useSyncExternalStore } from "react";
import { client } from "../api/client.js";
import { type SessionSnapshot, sessionStore } from "./session-store.js";

/** The session: restoring, signed in (with the user) or signed out. */
export function useSession(): SessionSnapshot {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.getSnapshot);
}

/** The signed-in user; only for screens behind the sign-in guard. */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error("useUser outside a signed-in screen");
  return user;
}

const subscribeState = (listener: () => void) => {
  const off = client.realtime.onStateChange(listener);
  window.addEventListener("online", listener);
  window.addEventListener("offline", listener);
  return () => {
    off();
    window.removeEventListener("online", listener);
    window.removeEventListener("offline", listener);
  };
};

/** The device has no network at all: that is "offline" whatever the socket thinks. */
const currentState = (): ConnectionState => (navigator.onLine ? client.realtime.state : "offline");

/** The live connection's state, for the banner: connected, reconnecting, polling fallback or offline. */
export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(subscribeState, currentState);
}

/** Calls `handler` for each `event` from the server while mounted (the latest handler wins). */
export function useSocketEvent<E extends ServerEventName>(
  event: E,
  handler: (payload: ServerEventPayload<E>) => void,
): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => client.realtime.on(event, (payload) => latest.current(payload)), [event]);
}

/**
 * Calls `listener` after the client caught up on what it missed (a reconnect the server could not recover,
 * or a polling round): the moment to refetch lists that events alone do not keep current.
 */
export function useOnResync(listener: (info: SyncInfo) => void): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => client.realtime.onSync((info) => latest.current(info)), []);
}
