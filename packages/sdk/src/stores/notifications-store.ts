import type { Notification } from "@softchat/contracts";
import type { SoftchatClient } from "../client.js";
import { SoftchatError } from "../errors.js";
import { SnapshotStore } from "./store.js";

export interface NotificationsState {
  /** Newest first. */
  items: Notification[];
  unreadCount: number;
  ready: boolean;
  hasMore: boolean;
  error: SoftchatError | null;
}

const PAGE = 50;

/**
 * My notifications for a UI: the list, the unread count kept live from `new_notification`, mark-read with
 * an optimistic update, and a refresh after the realtime client caught up on a reconnect.
 */
export class NotificationsStore extends SnapshotStore<NotificationsState> {
  private cursor: string | null = null;
  private cleanups: Array<() => void> = [];
  private running = false;

  constructor(private readonly client: SoftchatClient) {
    super({ items: [], unreadCount: 0, ready: false, hasMore: false, error: null });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { realtime } = this.client;
    this.cleanups.push(
      realtime.on("new_notification", ({ notification }) => this.prepend(notification)),
      realtime.onSync((info) => {
        if (info.via === "reconnect") void this.refresh();
      }),
    );
    void this.refresh();
  }

  stop(): void {
    this.running = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  /** Reloads the first page and the unread count. */
  async refresh(): Promise<void> {
    try {
      const [page, unreadCount] = await Promise.all([
        this.client.notifications.list({ limit: PAGE }),
        this.client.notifications.unreadCount(),
      ]);
      if (!this.running) return;
      this.cursor = page.nextCursor;
      this.update({
        items: page.items,
        unreadCount,
        ready: true,
        hasMore: page.nextCursor !== null,
        error: null,
      });
    } catch (err) {
      if (this.running) this.update({ error: toError(err) });
    }
  }

  async loadMore(): Promise<void> {
    if (!this.cursor) return;
    try {
      const page = await this.client.notifications.list({ limit: PAGE, cursor: this.cursor });
      this.cursor = page.nextCursor;
      const known = new Set(this.getSnapshot().items.map((n) => n.id));
      const items = [...this.getSnapshot().items, ...page.items.filter((n) => !known.has(n.id))];
      this.update({ items, hasMore: page.nextCursor !== null });
    } catch (err) {
      this.update({ error: toError(err) });
    }
  }

  /** Marks one read at once on screen; puts it back if the server refuses. */
  async markRead(notificationId: string): Promise<void> {
    const before = this.getSnapshot();
    const target = before.items.find((n) => n.id === notificationId);
    if (target?.read) return;
    this.update({
      items: before.items.map((n) => (n.id === notificationId ? { ...n, read: true } : n)),
      unreadCount: target ? Math.max(0, before.unreadCount - 1) : before.unreadCount,
    });
    try {
      const stored = await this.client.realtime.markNotificationRead(notificationId);
      this.update({ items: this.getSnapshot().items.map((n) => (n.id === stored.id ? stored : n)) });
    } catch (err) {
      this.update({ items: before.items, unreadCount: before.unreadCount, error: toError(err) });
    }
  }

  private prepend(notification: Notification): void {
    const state = this.getSnapshot();
    if (state.items.some((n) => n.id === notification.id)) return;
    this.update({
      items: [notification, ...state.items],
      unreadCount: state.unreadCount + (notification.read ? 0 : 1),
    });
  }
}

function toError(err: unknown): SoftchatError {
  if (err instanceof SoftchatError) return err;
  return new SoftchatError(0, "network_error", err instanceof Error ? err.message : String(err));
}
