import type { RealtimeGateway } from "../../platform/realtime/index.js";

/**
 * Typing indicators: ephemeral, never stored. `typing` goes to the room's other members (not the typist's
 * own devices); an indicator nobody refreshes ends by itself after `timeoutMs` with `typing: false`.
 */
export class TypingIndicators {
  private readonly active = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly realtime: RealtimeGateway,
    private readonly timeoutMs: number,
  ) {}

  /** Starts (or keeps alive) the user's indicator in the room. */
  start(roomId: string, userId: string): void {
    const key = `${roomId}:${userId}`;
    const timer = this.active.get(key);
    if (timer) {
      timer.refresh();
      return;
    }
    const expiry = setTimeout(() => this.stop(roomId, userId), this.timeoutMs);
    expiry.unref();
    this.active.set(key, expiry);
    this.send(roomId, userId, true);
  }

  /** Ends the indicator. Sent even when this node did not see the start: another device may have typed. */
  stop(roomId: string, userId: string): void {
    const key = `${roomId}:${userId}`;
    const timer = this.active.get(key);
    if (timer) clearTimeout(timer);
    this.active.delete(key);
    this.send(roomId, userId, false);
  }

  /** Ends every indicator of the user started on this node (their device went away). */
  stopAllOf(userId: string): void {
    for (const key of [...this.active.keys()]) {
      const [roomId, who] = key.split(":");
      if (roomId && who === userId) this.stop(roomId, userId);
    }
  }

  /** Ends the user's indicator in one room, if this node has one (they left the room). */
  stopIfActive(roomId: string, userId: string): void {
    if (this.active.has(`${roomId}:${userId}`)) this.stop(roomId, userId);
  }

  close(): void {
    for (const timer of this.active.values()) clearTimeout(timer);
    this.active.clear();
  }

  private send(roomId: string, userId: string, typing: boolean): void {
    this.realtime.emitExcept([`room:${roomId}`], [`user:${userId}`], "typing", { roomId, userId, typing });
  }
}
