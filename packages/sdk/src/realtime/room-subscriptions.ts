import type { ChatRoom } from "@softchat/contracts";
import { isSoftchatError } from "../errors.js";
import type { SocketLink } from "./socket-link.js";

/**
 * The chat rooms the app follows and their join on the current connection. A connection the server did not
 * recover starts a new epoch: every followed room is joined again, once, however many callers wait on it.
 */
export class RoomSubscriptions {
  private readonly followed = new Set<string>();
  private readonly joins = new Map<string, { epoch: number; promise: Promise<ChatRoom> }>();
  private epoch = 0;

  constructor(
    private readonly link: SocketLink,
    private readonly whenConnected: () => Promise<void>,
  ) {}

  get rooms(): Iterable<string> {
    return this.followed;
  }

  follow(roomId: string): Promise<ChatRoom> {
    this.followed.add(roomId);
    return this.ensureJoined(roomId);
  }

  unfollow(roomId: string): void {
    this.followed.delete(roomId);
    this.joins.delete(roomId);
  }

  /** After a connection without recovery: joins every followed room again; drops rooms we lost access to. */
  rejoinAll(): void {
    this.epoch++;
    for (const roomId of this.followed) {
      this.ensureJoined(roomId).catch((err) => {
        if (isSoftchatError(err, "forbidden", "not_found", "not_a_member", "room_private"))
          this.unfollow(roomId);
      });
    }
  }

  clear(): void {
    this.followed.clear();
    this.joins.clear();
  }

  private async ensureJoined(roomId: string): Promise<ChatRoom> {
    await this.whenConnected();
    const existing = this.joins.get(roomId);
    if (existing && existing.epoch === this.epoch) return existing.promise;
    const promise = this.link.emitAck("join_room", { roomId }).then((reply) => reply.room);
    const entry = { epoch: this.epoch, promise };
    this.joins.set(roomId, entry);
    promise.catch(() => {
      if (this.joins.get(roomId) === entry) this.joins.delete(roomId);
    });
    return promise;
  }
}
