import type { ServerEventName, ServerEventPayload } from "@softchat/contracts";
import { Listeners } from "./listeners.js";

/** Typed handlers per server event name. Handlers outlive sockets: they are registered here, not on one. */
export class EventHub {
  private readonly handlers = new Map<string, Listeners<[unknown]>>();

  on<E extends ServerEventName>(event: E, handler: (payload: ServerEventPayload<E>) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Listeners<[unknown]>();
      this.handlers.set(event, set);
    }
    return set.add(handler as (payload: unknown) => void);
  }

  emit<E extends ServerEventName>(event: E, payload: ServerEventPayload<E>): void {
    this.handlers.get(event)?.emit(payload);
  }

  /** An event straight off the socket, whose payload the server's contract vouches for. */
  emitUnchecked(event: string, payload: unknown): void {
    this.handlers.get(event)?.emit(payload);
  }
}

/** Calls `handler` when the browser regains network (`online` event); a no-op outside browsers. */
export function listenOnline(handler: () => void, on: boolean): void {
  const target = globalThis as unknown as {
    addEventListener?: (type: string, fn: () => void) => void;
    removeEventListener?: (type: string, fn: () => void) => void;
  };
  if (on) target.addEventListener?.("online", handler);
  else target.removeEventListener?.("online", handler);
}
