import type { ChatMessage, Notification } from "@softchat/contracts";
import type { ChatApi } from "../api/chat.js";
import type { NotificationsApi } from "../api/notifications.js";
import { Listeners } from "./listeners.js";
import { NotificationTracker } from "./notification-tracker.js";
import { RoomTracker } from "./room-tracker.js";
import type { SyncInfo } from "./types.js";

export interface CatchUpDeps {
  chat: ChatApi;
  /** The server's clock (ms since the epoch) as well as we know it. */
  serverNow(): number;
  notifications: NotificationsApi;
  deliverMessage(message: ChatMessage): void;
  deliverNotification(notification: Notification): void;
  /** Rooms the app follows (joinRoom): their position is established even before any message arrives. */
  followedRooms(): Iterable<string>;
  followNotifications: boolean;
  pollIntervalMs: number;
  /** After every polling round: the caller updates its state and flushes its queue. */
  afterPoll(): void;
}

const CLOCK_MARGIN_MS = 3000;

/**
 * Getting back what was missed: after a reconnect the server could not recover, and on a timer while the
 * socket is down (HTTP polling). Both fetch history `?after=` the last message of each followed room and the
 * unread notifications, and deliver through the same dedupe as live events.
 */
export class CatchUp {
  readonly rooms: RoomTracker;
  readonly notifications: NotificationTracker;
  private readonly syncs = new Listeners<[SyncInfo]>();
  private polling = false;
  private healthy = true;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: CatchUpDeps) {
    // The clock fallback reaches back a little further than its error, preferring a rare late delivery of an
    // unseen item to losing one.
    const sinceNow = () => new Date(deps.serverNow() - CLOCK_MARGIN_MS).toISOString();
    this.rooms = new RoomTracker(
      (roomId, query) => deps.chat.messages(roomId, query),
      deps.deliverMessage,
      sinceNow,
    );
    this.notifications = new NotificationTracker(
      (query) => deps.notifications.list(query),
      deps.deliverNotification,
      sinceNow,
    );
  }

  /** True while HTTP polling stands in for the socket. */
  get isPolling(): boolean {
    return this.polling;
  }

  /** False when the last polling round could not reach the server either. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  onSync(listener: (info: SyncInfo) => void): () => void {
    return this.syncs.add(listener);
  }

  /** One catch-up round; true when every request of it succeeded. */
  async run(via: SyncInfo["via"]): Promise<boolean> {
    const tasks: Promise<unknown>[] = [];
    for (const roomId of this.deps.followedRooms()) tasks.push(this.rooms.establishBaseline(roomId));
    for (const roomId of this.rooms.syncableRooms) tasks.push(this.rooms.catchUp(roomId));
    if (this.deps.followNotifications) tasks.push(this.notifications.catchUp());
    const results = await Promise.allSettled(tasks);
    const complete = results.every((r) => r.status === "fulfilled");
    this.syncs.emit({ via, complete });
    return complete;
  }

  startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    this.healthy = true;
    void this.pollRound();
  }

  stopPolling(): void {
    this.polling = false;
    this.healthy = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  clear(): void {
    this.stopPolling();
    this.rooms.clear();
    this.notifications.clear();
  }

  private async pollRound(): Promise<void> {
    if (!this.polling) return;
    const complete = await this.run("poll");
    if (!this.polling) return;
    this.healthy = complete;
    this.deps.afterPoll();
    this.timer = setTimeout(() => void this.pollRound(), this.deps.pollIntervalMs);
  }
}
