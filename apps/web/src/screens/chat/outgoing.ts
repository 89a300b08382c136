import type { ChatMessage } from "@softchat/contracts";
import { isTransient } from "@softchat/sdk";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { sessionStore } from "../../app/session-store.js";

/**
 * `sending`: handed to the SDK, which sends it at once when connected and queues it otherwise (the banner
 * and the row then say it waits for the connection). `failed`: the server refused it (too long, not a
 * member); the user may retry or discard it.
 */
export type OutgoingStatus = "sending" | "failed";

export interface OutgoingMessage {
  clientId: string;
  roomId: string;
  text: string;
  createdAt: string;
  status: OutgoingStatus;
  error?: string;
}

type Listener = () => void;
const STORAGE_KEY = "softchat.outgoing";

/**
 * My messages the server has not confirmed yet, shown in place with their state. Each keeps the clientId
 * it was given when written, so a resend (after a reload, a retry, a lost acknowledgement) never stores it
 * twice. Kept per user in sessionStorage: a reload while offline loses nothing that was typed.
 */
class OutgoingMessages {
  private items: OutgoingMessage[] = [];
  private userId: string | null = null;
  private readonly listeners = new Set<Listener>();
  private onConfirmed: (message: ChatMessage) => void = () => {};

  constructor() {
    sessionStore.subscribe(() => this.sync());
    this.sync();
  }

  /** Where confirmed messages go (the room's cached history). */
  setConfirmedHandler(handler: (message: ChatMessage) => void): void {
    this.onConfirmed = handler;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): OutgoingMessage[] => this.items;

  /** Writes a message: it shows at once and is delivered as soon as the connection allows. */
  send(roomId: string, text: string): void {
    this.sync();
    const message: OutgoingMessage = {
      clientId: crypto.randomUUID(),
      roomId,
      text,
      createdAt: new Date().toISOString(),
      status: "sending",
    };
    this.update([...this.items, message]);
    this.deliver(message);
  }

  retry(clientId: string): void {
    const message = this.items.find((m) => m.clientId === clientId);
    if (!message) return;
    this.patch(clientId, { status: "sending", error: undefined });
    this.deliver(message);
  }

  discard(clientId: string): void {
    this.update(this.items.filter((m) => m.clientId !== clientId));
  }

  /** Drops the pending copy once the server's copy is known (from the SDK or from the socket). */
  confirm(clientId: string | null): void {
    if (clientId && this.items.some((m) => m.clientId === clientId)) {
      this.update(this.items.filter((m) => m.clientId !== clientId));
    }
  }

  private deliver(message: OutgoingMessage): void {
    const userId = this.userId;
    client.realtime.sendMessage(message.roomId, message.text, { clientId: message.clientId }).then(
      (stored) => {
        this.confirm(message.clientId);
        this.onConfirmed(stored);
      },
      (err) => {
        // Signed out meanwhile: the message belongs to a session that is over; it stays saved for that user.
        if (this.userId !== userId) return;
        if (isTransient(err)) {
          // Still unsent after the SDK gave up on this attempt: keep it and try again shortly.
          setTimeout(() => this.retry(message.clientId), 2000);
          return;
        }
        this.patch(message.clientId, { status: "failed", error: describeError(err) });
      },
    );
  }

  /** Loads the signed-in user's saved messages and sends them again (each user's are kept apart). */
  private sync(): void {
    const { status, user } = sessionStore.getSnapshot();
    const userId = status === "signed-in" ? (user?.id ?? null) : null;
    if (userId === this.userId) return;
    this.userId = userId;
    this.items = [];
    if (userId) {
      try {
        const saved = sessionStorage.getItem(`${STORAGE_KEY}.${userId}`);
        if (saved) this.items = JSON.parse(saved) as OutgoingMessage[];
      } catch {
        this.items = [];
      }
    }
    for (const listener of [...this.listeners]) listener();
    for (const message of this.items) if (message.status === "sending") this.deliver(message);
  }

  private patch(clientId: string, change: Partial<OutgoingMessage>): void {
    this.update(this.items.map((m) => (m.clientId === clientId ? { ...m, ...change } : m)));
  }

  private update(items: OutgoingMessage[]): void {
    this.items = items;
    if (this.userId) {
      try {
        const key = `${STORAGE_KEY}.${this.userId}`;
        if (items.length > 0) sessionStorage.setItem(key, JSON.stringify(items));
        else sessionStorage.removeItem(key);
      } catch {
        // Without storage the messages still live for as long as the page does.
      }
    }
    for (const listener of [...this.listeners]) listener();
  }
}

/** The one list of my unconfirmed messages. */
export const outgoing = new OutgoingMessages();
