import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { dropRedisKeys } from "../../../test/harness.js";
import {
  type ConnectionRegistry,
  MemoryConnectionRegistry,
  RedisConnectionRegistry,
} from "./connection-registry.js";

const redisUrl = process.env.TEST_REDIS_URL;
const kinds = redisUrl ? (["memory", "redis"] as const) : (["memory"] as const);
const TTL_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(kinds)("connection registry (%s)", (kind) => {
  const prefix = `test:${randomUUID()}:`;
  const redis = kind === "redis" && redisUrl ? new Redis(redisUrl) : undefined;
  const registry: ConnectionRegistry = redis
    ? new RedisConnectionRegistry(redis, prefix, TTL_MS)
    : new MemoryConnectionRegistry(TTL_MS);

  afterAll(async () => {
    if (!redis) return;
    await dropRedisKeys(redis, prefix);
    redis.disconnect();
  });

  it("refuses a user's connection past the maximum", async () => {
    const user = randomUUID();
    expect(await registry.tryAdd(user, "a", 2)).toBe(true);
    expect(await registry.tryAdd(user, "b", 2)).toBe(true);
    expect(await registry.tryAdd(user, "c", 2)).toBe(false);
    await registry.remove(user, "a");
    expect(await registry.tryAdd(user, "c", 2)).toBe(true);
    expect(await registry.count(user)).toBe(2);
  });

  it("keeps refreshed connections of a whole node counted past their TTL, and only those", async () => {
    // More connections than one refresh slice, each of a user of its own, as on a busy node.
    const live = Array.from({ length: 1_200 }, () => ({ userId: randomUUID(), connectionId: randomUUID() }));
    const added = await Promise.all(live.map((c) => registry.tryAdd(c.userId, c.connectionId, 5)));
    expect(added.every(Boolean)).toBe(true);
    const dead = { userId: randomUUID(), connectionId: randomUUID() };
    await registry.tryAdd(dead.userId, dead.connectionId, 5);
    const gone = live[7] as { userId: string; connectionId: string };
    await registry.remove(gone.userId, gone.connectionId);

    await registry.refresh(live);
    for (let i = 0; i < 3; i++) {
      await sleep(TTL_MS / 2);
      await registry.refresh(live);
    }

    // The node no longer refreshes `dead`: it stopped counting once its TTL ran out.
    expect(await registry.count(dead.userId)).toBe(0);
    // A refresh never brings back a connection removed since it was added.
    expect(await registry.count(gone.userId)).toBe(0);
    const counts = await Promise.all(live.map((c) => registry.count(c.userId)));
    expect(counts.filter((n) => n === 1)).toHaveLength(live.length - 1);
  });
});
