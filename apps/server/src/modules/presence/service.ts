import type { Presence, PresenceStatus } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import { MemoryPresenceStore, type PresenceRecord, type PresenceStore, RedisPresenceStore } from "./store.js";

type StoreContext = Pick<AppContext, "config" | "redis">;

const stores = new WeakMap<object, PresenceStore>();

/** The node's presence store: Redis when REDIS_URL is set (shared by every node), memory otherwise. */
export function presenceStore(ctx: StoreContext): PresenceStore {
  let store = stores.get(ctx);
  if (!store) {
    store = ctx.redis
      ? new RedisPresenceStore(ctx.redis, ctx.config.REDIS_PREFIX)
      : new MemoryPresenceStore();
    stores.set(ctx, store);
  }
  return store;
}

function present(userId: string, record: PresenceRecord | undefined): Presence {
  return { userId, status: record?.status ?? "offline", lastSeenAt: record?.lastSeenAt ?? null };
}

/** Presence of several users at once (room member lists). */
export async function getPresences(
  ctx: StoreContext,
  userIds: readonly string[],
): Promise<Map<string, Presence>> {
  const records = await presenceStore(ctx).get(userIds);
  return new Map(userIds.map((id) => [id, present(id, records.get(id))]));
}

/** One user's presence. Who may see it is decided at the edge (see the presence routes). */
export async function getPresence(ctx: StoreContext, userId: string): Promise<Presence> {
  return (await getPresences(ctx, [userId])).get(userId) ?? present(userId, undefined);
}

/**
 * Who hears about users' presence changes, as socket rooms per user: the rooms and DMs they share with
 * others (each member's devices are in them). Asked for many users at once.
 */
export type AudiencesOf = (userIds: readonly string[]) => Promise<Map<string, string[]>>;

/**
 * Presence changes are gathered this long and announced together (ms): a burst of connections (a node
 * restart, everyone opening the app at 9:00) costs one audience lookup, not one per connection.
 */
const ANNOUNCE_COALESCE_MS = 25;

type TrackerContext = Pick<AppContext, "config" | "redis" | "realtime" | "logger">;

/**
 * Turns connections into presence: online while any device is connected anywhere, offline only after
 * PRESENCE_OFFLINE_GRACE_MS with none (so a reload does not flap), and announces each change to the
 * user's contacts only. When scaled, a sweep also retires users whose node died without a disconnect.
 */
export class PresenceTracker {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly store: PresenceStore;
  /** Changes waiting to be announced, in the order they happened. */
  private announcements: Array<{ userId: string; status: PresenceStatus }> = [];
  private announceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: TrackerContext,
    private readonly audiencesOf: AudiencesOf,
  ) {
    this.store = presenceStore(ctx);
  }

  /** A device connected. */
  async connected(userId: string): Promise<void> {
    this.cancelOfflineCheck(userId);
    const before = await this.store.connected(userId, new Date());
    if (before === "offline") this.announce(userId, "online");
  }

  /** A device disconnected; if it was the user's last one, they go offline after the grace period. */
  async disconnected(userId: string): Promise<void> {
    await this.store.seen(userId, new Date());
    if ((await this.ctx.realtime.connectionCount(userId)) > 0) return;
    this.cancelOfflineCheck(userId);
    const timer = setTimeout(() => {
      this.timers.delete(userId);
      this.checkOffline(userId).catch((err) =>
        this.ctx.logger.warn({ err, userId }, "presence check failed"),
      );
    }, this.ctx.config.PRESENCE_OFFLINE_GRACE_MS);
    timer.unref();
    this.timers.set(userId, timer);
  }

  /** `update_presence`: a connected user says they are online or away. */
  async setStatus(userId: string, status: "online" | "away"): Promise<Presence> {
    const before = await this.store.setStatus(userId, status, new Date());
    if (before !== status) this.announce(userId, status);
    return getPresence(this.ctx, userId);
  }

  /** Scaled out: every few seconds one node looks for users left online by a node that died. */
  startSweeper(): void {
    const { redis, config } = this.ctx;
    if (!redis || this.sweeper) return;
    const interval = Math.max(1000, Math.min(config.PRESENCE_OFFLINE_GRACE_MS, 10_000));
    const lockKey = `${config.REDIS_PREFIX}presence:sweep-lock`;
    this.sweeper = setInterval(() => {
      void (async () => {
        if ((await redis.set(lockKey, this.ctx.realtime.nodeId, "PX", interval, "NX")) !== "OK") return;
        const idle = await this.store.idleSince(new Date(Date.now() - config.PRESENCE_OFFLINE_GRACE_MS), 500);
        for (const userId of idle) {
          if (this.timers.has(userId)) continue;
          if ((await this.ctx.realtime.connectionCount(userId)) > 0) {
            // Still connected somewhere: push its activity forward so it is not looked at every round.
            await this.store.seen(userId, new Date());
          } else {
            await this.checkOffline(userId);
          }
        }
      })().catch((err) => this.ctx.logger.warn({ err }, "presence sweep failed"));
    }, interval);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.announcements = [];
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private cancelOfflineCheck(userId: string): void {
    const timer = this.timers.get(userId);
    if (timer) clearTimeout(timer);
    this.timers.delete(userId);
  }

  private async checkOffline(userId: string): Promise<void> {
    if ((await this.ctx.realtime.connectionCount(userId)) > 0) return;
    if (!(await this.store.wentOffline(userId))) return;
    // A device may have connected between the count and the transition: then it is online after all.
    if ((await this.ctx.realtime.connectionCount(userId)) > 0) {
      await this.store.connected(userId, new Date());
      return;
    }
    this.announce(userId, "offline");
  }

  private announce(userId: string, status: PresenceStatus): void {
    this.announcements.push({ userId, status });
    if (this.announceTimer) return;
    this.announceTimer = setTimeout(() => {
      this.announceTimer = undefined;
      this.flushAnnouncements().catch((err) => this.ctx.logger.warn({ err }, "presence announce failed"));
    }, ANNOUNCE_COALESCE_MS);
    this.announceTimer.unref();
  }

  private async flushAnnouncements(): Promise<void> {
    const batch = this.announcements;
    this.announcements = [];
    if (batch.length === 0) return;
    const audiences = await this.audiencesOf([...new Set(batch.map((a) => a.userId))]);
    const { realtime } = this.ctx;
    for (const { userId, status } of batch) {
      const rooms = audiences.get(userId) ?? [];
      const own = `user:${userId}`;
      // The user's own devices share those rooms: user_online/offline is news for the others only.
      if (status === "online") realtime.emitExcept(rooms, [own], "user_online", { userId });
      if (status === "offline") {
        const { lastSeenAt } = await getPresence(this.ctx, userId);
        realtime.emitExcept(rooms, [own], "user_offline", { userId, lastSeenAt });
      }
      // The user's own devices hear presence_update too, so an "away" set on one shows on all.
      realtime.emit([...rooms, own], "presence_update", { userId, status });
    }
  }
}
