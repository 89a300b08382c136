import type { PresenceStatus } from "@softchat/contracts";
import type { Redis } from "ioredis";

export interface PresenceRecord {
  status: PresenceStatus;
  lastSeenAt: string | null;
}

/**
 * Each user's presence status and last-seen time: in memory on one node, in Redis when scaled so every
 * node reads the same answer. Transitions are atomic so two nodes never both announce the same change.
 */
export interface PresenceStore {
  get(userIds: readonly string[]): Promise<Map<string, PresenceRecord>>;
  /** A device connected: offline becomes online (away stays away). Returns the status before. */
  connected(userId: string, at: Date): Promise<PresenceStatus>;
  /** Notes activity (a device left) without changing the status. */
  seen(userId: string, at: Date): Promise<void>;
  /** Sets online or away for a connected user. Returns the status before. */
  setStatus(userId: string, status: "online" | "away", at: Date): Promise<PresenceStatus>;
  /** Online or away becomes offline; returns false when the user already was offline. */
  wentOffline(userId: string): Promise<boolean>;
  /** Users not offline whose last activity is before `before`: candidates for the offline sweep. */
  idleSince(before: Date, limit: number): Promise<string[]>;
}

const OFFLINE: PresenceRecord = { status: "offline", lastSeenAt: null };

export class MemoryPresenceStore implements PresenceStore {
  private readonly records = new Map<string, PresenceRecord>();

  async get(userIds: readonly string[]): Promise<Map<string, PresenceRecord>> {
    return new Map(userIds.map((id) => [id, this.records.get(id) ?? OFFLINE]));
  }

  async connected(userId: string, at: Date): Promise<PresenceStatus> {
    const before = this.records.get(userId)?.status ?? "offline";
    this.records.set(userId, {
      status: before === "offline" ? "online" : before,
      lastSeenAt: at.toISOString(),
    });
    return before;
  }

  async seen(userId: string, at: Date): Promise<void> {
    const record = this.records.get(userId) ?? OFFLINE;
    this.records.set(userId, { ...record, lastSeenAt: at.toISOString() });
  }

  async setStatus(userId: string, status: "online" | "away", at: Date): Promise<PresenceStatus> {
    const before = this.records.get(userId)?.status ?? "offline";
    this.records.set(userId, { status, lastSeenAt: at.toISOString() });
    return before;
  }

  async wentOffline(userId: string): Promise<boolean> {
    const record = this.records.get(userId);
    if (!record || record.status === "offline") return false;
    this.records.set(userId, { ...record, status: "offline" });
    return true;
  }

  async idleSince(before: Date, limit: number): Promise<string[]> {
    const found: string[] = [];
    for (const [id, r] of this.records) {
      if (found.length >= limit) break;
      if (r.status !== "offline" && r.lastSeenAt !== null && new Date(r.lastSeenAt) < before) found.push(id);
    }
    return found;
  }
}

// KEYS[1] user hash, KEYS[2] active set. ARGV: status to set ("" = online unless away), at (ISO), at (ms), id.
const SET_STATUS = `
local before = redis.call('HGET', KEYS[1], 'status') or 'offline'
local status = ARGV[1]
if status == '' then status = (before == 'away') and 'away' or 'online' end
redis.call('HSET', KEYS[1], 'status', status, 'lastSeenAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return before`;

const WENT_OFFLINE = `
redis.call('ZREM', KEYS[2], ARGV[1])
local before = redis.call('HGET', KEYS[1], 'status')
if (not before) or before == 'offline' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'offline')
return 1`;

/** How long a user's presence record is kept after the last change (the last-seen time of old accounts). */
const RECORD_TTL_MS = 30 * 86_400_000;

export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(userIds: readonly string[]): Promise<Map<string, PresenceRecord>> {
    const result = new Map<string, PresenceRecord>();
    if (userIds.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.hmget(this.userKey(id), "status", "lastSeenAt");
    const replies = (await pipeline.exec()) ?? [];
    userIds.forEach((id, i) => {
      const [status, lastSeenAt] = (replies[i]?.[1] as Array<string | null> | undefined) ?? [];
      result.set(id, {
        status: status === "online" || status === "away" ? status : "offline",
        lastSeenAt: lastSeenAt ?? null,
      });
    });
    return result;
  }

  async connected(userId: string, at: Date): Promise<PresenceStatus> {
    return this.transition(userId, "", at);
  }

  async seen(userId: string, at: Date): Promise<void> {
    await this.redis
      .multi()
      .hset(this.userKey(userId), "lastSeenAt", at.toISOString())
      .pexpire(this.userKey(userId), RECORD_TTL_MS)
      .zadd(this.activeKey(), "XX", at.getTime(), userId)
      .exec();
  }

  async setStatus(userId: string, status: "online" | "away", at: Date): Promise<PresenceStatus> {
    return this.transition(userId, status, at);
  }

  async wentOffline(userId: string): Promise<boolean> {
    const changed = await this.redis.eval(WENT_OFFLINE, 2, this.userKey(userId), this.activeKey(), userId);
    return Number(changed) === 1;
  }

  async idleSince(before: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.activeKey(), "-inf", `(${before.getTime()}`, "LIMIT", 0, limit);
  }

  private async transition(userId: string, status: string, at: Date): Promise<PresenceStatus> {
    const before = await this.redis.eval(
      SET_STATUS,
      2,
      this.userKey(userId),
      this.activeKey(),
      status,
      at.toISOString(),
      at.getTime(),
      userId,
      RECORD_TTL_MS,
    );
    return before === "online" || before === "away" ? before : "offline";
  }

  private userKey(userId: string): string {
    return `${this.prefix}presence:user:${userId}`;
  }

  /** Users online or away, scored by last activity (ms). */
  private activeKey(): string {
    return `${this.prefix}presence:active`;
  }
}
