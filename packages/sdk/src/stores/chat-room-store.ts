import type { ChatMessage } from "@softchat/contracts";
import type { SoftchatClient } from "../client.js";
import { isSoftchatError, SoftchatError } from "../errors.js";
import { newId } from "../ids.js";
import { compareDecimal } from "../realtime/decimal.js";
import { SnapshotStore } from "./store.js";

/** Where a message stands from this device's point of view. */
export type DeliveryStatus = "sent" | "sending" | "queued" | "failed";

/** One line of the conversation: a stored message, or one of mine on its way. */
export interface ChatEntry {
  /** The message id once stored; the clientId before. Stable enough for list keys across the switch. */
  key: string;
  clientId: string | null;
  senderId: string;
  text: string;
  createdAt: string;
  status: DeliveryStatus;
  /** The stored message, once there is one. */
  message: ChatMessage | null;
  error: SoftchatError | null;
}

export interface ChatRoomState {
  /** Oldest first: stored messages in room order, then mine still being sent. */
  entries: ChatEntry[];
  /** Other members typing now. */
  typingUserIds: string[];
  /** The latest page has been loaded. */
  ready: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  error: SoftchatError | null;
}

interface Outgoing {
  clientId: string;
  text: string;
  createdAt: string;
  failed: SoftchatError | null;
}

const PAGE = 50;
/** The server clears a typing indicator after 5 s; a missed clear must not leave one on screen forever. */
const TYPING_FALLBACK_MS = 6000;
/** Re-announce typing at most this often while the user keeps typing. */
const TYPING_THROTTLE_MS = 3000;

const initial: ChatRoomState = {
  entries: [],
  typingUserIds: [],
  ready: false,
  hasOlder: false,
  loadingOlder: false,
  error: null,
};

/**
 * One room's conversation for a UI: history, live messages, my messages with their delivery state, who is
 * typing, and older pages on demand. Start it when the view mounts and stop it when it unmounts.
 */
export class ChatRoomStore extends SnapshotStore<ChatRoomState> {
  private readonly messages = new Map<string, ChatMessage>();
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly typing = new Map<string, ReturnType<typeof setTimeout>>();
  private cursor: string | null = null;
  private cleanups: Array<() => void> = [];
  private running = false;
  private lastTypingSent = 0;

  constructor(
    private readonly client: SoftchatClient,
    readonly roomId: string,
  ) {
    super(initial);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { realtime } = this.client;
    this.cleanups.push(
      realtime.on("message_received", (e) => {
        if (e.roomId === this.roomId) this.add([e.message]);
      }),
      realtime.on("typing", (e) => {
        if (e.roomId === this.roomId) this.setTypingUser(e.userId, e.typing);
      }),
      realtime.onStateChange(() => this.render()),
    );
    // History and the join go in parallel; a public room we are not a member of yet only opens its history
    // once the join has made us one.
    void this.loadLatest(false);
    realtime.joinRoom(this.roomId).then(
      () => (this.getSnapshot().ready ? this.fillGap() : this.loadLatest(true)),
      (err) => this.fail(err),
    );
  }

  stop(): void {
    this.running = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const timer of this.typing.values()) clearTimeout(timer);
    this.typing.clear();
  }

  /** Sends a message; it shows at once as sending (or queued while offline) and turns into the stored one. */
  async send(text: string): Promise<void> {
    const clientId = newId();
    this.outgoing.set(clientId, { clientId, text, createdAt: new Date().toISOString(), failed: null });
    this.render();
    await this.deliver(clientId);
  }

  /** Tries a failed message again, with the same clientId (never a duplicate). */
  async retry(clientId: string): Promise<void> {
    const entry = this.outgoing.get(clientId);
    if (!entry) return;
    entry.failed = null;
    this.render();
    await this.deliver(clientId);
  }

  /** Drops a failed message from the view. */
  discard(clientId: string): void {
    if (this.outgoing.delete(clientId)) this.render();
  }

  /** Loads the page before the oldest message shown. */
  async loadOlder(): Promise<void> {
    const state = this.getSnapshot();
    if (!this.cursor || state.loadingOlder) return;
    this.update({ loadingOlder: true });
    try {
      const page = await this.client.chat.messages(this.roomId, { limit: PAGE, cursor: this.cursor });
      this.cursor = page.nextCursor;
      this.add(page.items);
      this.update({ loadingOlder: false, hasOlder: page.nextCursor !== null });
    } catch (err) {
      this.update({ loadingOlder: false, error: toError(err) });
    }
  }

  /** Call on every keystroke (true) and when the input is cleared or sent (false); throttled here. */
  setTyping(typing: boolean): void {
    const now = Date.now();
    if (typing && now - this.lastTypingSent < TYPING_THROTTLE_MS) return;
    this.lastTypingSent = typing ? now : 0;
    const realtime = this.client.realtime;
    const call = typing ? realtime.startTyping(this.roomId) : realtime.stopTyping(this.roomId);
    call.catch(() => {});
  }

  private async deliver(clientId: string): Promise<void> {
    const entry = this.outgoing.get(clientId);
    if (!entry) return;
    try {
      const message = await this.client.realtime.sendMessage(this.roomId, entry.text, { clientId });
      this.add([message]);
    } catch (err) {
      entry.failed = toError(err);
      this.render();
    }
  }

  private async loadLatest(afterJoin: boolean): Promise<void> {
    try {
      const page = await this.client.chat.messages(this.roomId, { limit: PAGE });
      this.cursor = page.nextCursor;
      this.add(page.items);
      this.update({ ready: true, hasOlder: page.nextCursor !== null, error: null });
    } catch (err) {
      if (afterJoin || !isSoftchatError(err, "not_a_member", "forbidden")) this.fail(err);
    }
  }

  /** After joining: whatever arrived between the history load and the join. */
  private async fillGap(): Promise<void> {
    const newest = this.sorted().at(-1);
    try {
      const page = await this.client.chat.messages(
        this.roomId,
        newest ? { after: newest.id, limit: 200 } : { limit: PAGE },
      );
      this.add(page.items);
    } catch (err) {
      this.fail(err);
    }
  }

  private add(messages: ChatMessage[]): void {
    if (!this.running || messages.length === 0) return;
    for (const message of messages) {
      this.messages.set(message.id, message);
      if (message.clientId) this.outgoing.delete(message.clientId);
    }
    this.client.realtime.markSeen(messages);
    this.render();
  }

  private setTypingUser(userId: string, typing: boolean): void {
    if (userId === this.client.auth.user?.id) return;
    clearTimeout(this.typing.get(userId));
    if (typing)
      this.typing.set(
        userId,
        setTimeout(() => this.setTypingUser(userId, false), TYPING_FALLBACK_MS),
      );
    else this.typing.delete(userId);
    this.update({ typingUserIds: [...this.typing.keys()] });
  }

  private fail(err: unknown): void {
    if (this.running) this.update({ error: toError(err) });
  }

  private sorted(): ChatMessage[] {
    return [...this.messages.values()].sort((a, b) => compareDecimal(a.seq, b.seq));
  }

  private render(): void {
    const connected = ["connected", "polling"].includes(this.client.realtime.state);
    const me = this.client.auth.user?.id ?? "";
    const stored: ChatEntry[] = this.sorted().map((message) => ({
      key: message.clientId && message.senderId === me ? message.clientId : message.id,
      clientId: message.clientId,
      senderId: message.senderId,
      text: message.text,
      createdAt: message.createdAt,
      status: "sent",
      message,
      error: null,
    }));
    const pending: ChatEntry[] = [...this.outgoing.values()].map((o) => ({
      key: o.clientId,
      clientId: o.clientId,
      senderId: me,
      text: o.text,
      createdAt: o.createdAt,
      status: o.failed ? "failed" : connected ? "sending" : "queued",
      message: null,
      error: o.failed,
    }));
    this.update({ entries: [...stored, ...pending] });
  }
}

function toError(err: unknown): SoftchatError {
  if (err instanceof SoftchatError) return err;
  return new SoftchatError(0, "network_error", err instanceof Error ? err.message : String(err));
}
