import { Redis } from "ioredis";

/**
 * Deletes every Redis key under `prefix` (a test's or a benchmarked node's own namespace on a shared
 * Redis), walking it with SCAN so a big namespace never blocks Redis the way KEYS would.
 */
export async function dropRedisKeys(redis: Pick<Redis, "scanStream" | "del">, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
    const batch = keys as string[];
    if (batch.length > 0) await redis.del(...batch);
  }
}

/** `dropRedisKeys` over a connection of its own to `redisUrl`. */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    await dropRedisKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
