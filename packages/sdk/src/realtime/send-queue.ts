import type { ChatMessage } from "@softchat/contracts";
import { isTransient, SoftchatError } from "../errors.js";

/** A message waiting to be stored by the server. Its clientId never changes, so a resend stores nothing new. */
export interface QueuedMessage {
  roomId: string;
  text: string;
  clientId: string;
}

/** How the queue sends one message right now; throws SoftchatError. Null when there is no way to send. */
export type Sender = (message: QueuedMessage) => Promise<ChatMessage>;

interface Entry extends QueuedMessage {
  resolve(message: ChatMessage): void;
  reject(error: unknown): void;
}

/**
 * Outgoing chat messages, sent one at a time in the order they were written. A failure that may be temporary
 * (connection lost, timeout, rate limit, 5xx) keeps the message at the head for the next flush; the server
 * stores one message per clientId, so a resend after a lost acknowledgement never duplicates. A refusal
 * (validation, forbidden) rejects that message and the queue moves on.
 */
export class SendQueue {
  private readonly entries: Entry[] = [];
  private flushing: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly maxSize: number,
    /** The sender to use now, or null while there is no connection (the queue then waits for `flush`). */
    private readonly sender: () => Sender | null,
    private readonly retryDelayMs: (err: SoftchatError) => number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Queues a message; resolves with the stored message once the server has it. */
  enqueue(message: QueuedMessage): Promise<ChatMessage> {
    if (this.entries.length >= this.maxSize) {
      return Promise.reject(
        new SoftchatError(
          0,
          "offline_queue_full",
          `More than ${this.maxSize} messages are waiting to be sent`,
        ),
      );
    }
    const promise = new Promise<ChatMessage>((resolve, reject) => {
      this.entries.push({ ...message, resolve, reject });
    });
    void this.flush();
    return promise;
  }

  /** Sends what is queued, in order, while a sender is available. Concurrent calls share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Rejects everything queued (sign-out: the messages belong to a session that is over). */
  rejectAll(error: SoftchatError): void {
    clearTimeout(this.retryTimer);
    for (const entry of this.entries.splice(0)) entry.reject(error);
  }

  private remove(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  private async drain(): Promise<void> {
    for (;;) {
      const head = this.entries[0];
      const send = this.sender();
      if (!head || !send) return;
      try {
        const stored = await send({ roomId: head.roomId, text: head.text, clientId: head.clientId });
        this.remove(head);
        head.resolve(stored);
      } catch (err) {
        if (isTransient(err) && err instanceof SoftchatError) {
          // Keep it at the head; retry later or when the connection comes back (flush is called then).
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => void this.flush(), this.retryDelayMs(err));
          return;
        }
        this.remove(head);
        head.reject(err);
      }
    }
  }
}
