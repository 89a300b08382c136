import { Redis } from "ioredis";

/**
 * Deletes every key under `prefix` (a benchmarked node's rate-limit counters, presence, socket stream and
 * queues): a run would otherwise leave hundreds or thousands of keys behind on a shared Redis.
 */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
      const batch = keys as string[];
      if (batch.length > 0) await redis.del(...batch);
    }
  } finally {
    redis.disconnect();
  }
}
