import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { dropRedisKeys, eventually } from "../../../test/harness.js";
import { createCache } from "./index.js";
import { MemoryCache } from "./memory-cache.js";
import type { Cache } from "./types.js";

const redisUrl = process.env.TEST_REDIS_URL;
const kinds = redisUrl ? (["memory", "redis"] as const) : (["memory"] as const);

describe.each(kinds)("cache (%s)", (kind) => {
  const prefix = `test:${randomUUID()}:`;
  const redis = kind === "redis" && redisUrl ? new Redis(redisUrl) : undefined;
  const cache: Cache = createCache(redis, prefix);

  afterAll(async () => {
    if (!redis) return;
    await dropRedisKeys(redis, prefix);
    redis.disconnect();
  });

  it("returns what was stored, as a copy, until it is deleted", async () => {
    const price = { symbol: "BTC", price: "64250.12", sources: ["feed-a", "feed-b"] };
    await cache.set("price:BTC", price, 60_000);
    const got = await cache.get<typeof price>("price:BTC");
    expect(got).toEqual(price);
    expect(got).not.toBe(price);
    await cache.delete("price:BTC");
    expect(await cache.get("price:BTC")).toBeUndefined();
  });

  it("forgets an entry once its TTL has passed", async () => {
    await cache.set("session:short", { ok: true }, 50);
    expect(await cache.get("session:short")).toEqual({ ok: true });
    await eventually(async () => expect(await cache.get("session:short")).toBeUndefined(), 2000);
  });

  it("getOrSet loads a missing value once and serves it from the cache after", async () => {
    let loads = 0;
    const load = async () => {
      loads++;
      return { count: loads };
    };
    expect(await cache.getOrSet("stats:creator-1", 60_000, load)).toEqual({ count: 1 });
    expect(await cache.getOrSet("stats:creator-1", 60_000, load)).toEqual({ count: 1 });
    expect(loads).toBe(1);
  });

  it("refuses a value JSON cannot carry", async () => {
    await expect(cache.set("bad", undefined, 1000)).rejects.toThrow(/JSON/);
  });

  if (kind === "redis")
    it("is shared by every node on the same Redis prefix", async () => {
      if (!redisUrl) return;
      const other = new Redis(redisUrl);
      try {
        await cache.set("shared:1", { from: "node-a" }, 60_000);
        expect(await createCache(other, prefix).get("shared:1")).toEqual({ from: "node-a" });
        expect(await createCache(other, `test:${randomUUID()}:`).get("shared:1")).toBeUndefined();
      } finally {
        other.disconnect();
      }
    });
});

describe("memory cache bounds", () => {
  it("drops the entries written longest ago past its size limit", async () => {
    const cache = new MemoryCache(3);
    for (const key of ["a", "b", "c"]) await cache.set(key, key, 60_000);
    await cache.set("a", "a2", 60_000);
    await cache.set("d", "d", 60_000);
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toBe("a2");
    expect(await cache.get("c")).toBe("c");
    expect(await cache.get("d")).toBe("d");
  });
});
