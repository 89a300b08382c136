import type { Notification, Page } from "@softchat/contracts";

export type UnreadFetcher = (query: { unread?: boolean; limit?: number }) => Promise<Page<Notification>>;

const SEEN_MAX = 2000;
const CATCH_UP_LIMIT = 200;

/**
 * Delivers each notification once: live (`new_notification`) or found by a catch-up after an unrecovered
 * reconnect or a polling round. Only notifications newer than where we started count as missed, so the
 * backlog of old unread ones is never replayed as new.
 */
export class NotificationTracker {
  private readonly seen = new Set<string>();
  /** createdAt of the newest notification known; "" when there were none; null before we looked. */
  private since: string | null = null;
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly fetchList: UnreadFetcher,
    private readonly deliver: (notification: Notification) => void,
    /** The server's time now, minus a margin, as an ISO string: the fallback when the list cannot be read. */
    private readonly sinceNow: () => string,
  ) {}

  receive(notification: Notification): void {
    if (this.seen.has(notification.id)) return;
    this.remember(notification);
    this.deliver(notification);
  }

  /** Notes where the list stands now (one small request), if not known yet; the server's clock if that fails. */
  async establishBaseline(): Promise<void> {
    if (this.since !== null) return;
    const fallback = this.sinceNow();
    let page: Page<Notification>;
    try {
      page = await this.fetchList({ limit: 1 });
    } catch (err) {
      this.since ??= fallback;
      throw err;
    }
    if (this.since !== null) return;
    const newest = page.items[0];
    this.since = "";
    if (newest) this.remember(newest);
  }

  /** Fetches unread notifications and delivers those that arrived while we were not listening. */
  catchUp(): Promise<void> {
    if (this.since === null) return this.establishBaseline();
    this.syncing ??= (async () => {
      try {
        const page = await this.fetchList({ unread: true, limit: CATCH_UP_LIMIT });
        const since = this.since ?? "";
        const missed = page.items
          .filter((n) => !this.seen.has(n.id) && n.createdAt >= since)
          .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
        for (const notification of missed) this.receive(notification);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  clear(): void {
    this.seen.clear();
    this.since = null;
  }

  private remember(notification: Notification): void {
    this.seen.add(notification.id);
    if (this.seen.size > SEEN_MAX) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    // ISO-8601 UTC strings of the same format order correctly as strings.
    if (this.since === null || notification.createdAt > this.since) this.since = notification.createdAt;
  }
}
