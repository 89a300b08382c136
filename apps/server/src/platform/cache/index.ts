import type { Redis } from "ioredis";
import { MemoryCache } from "./memory-cache.js";
import { RedisCache } from "./redis-cache.js";
import type { Cache } from "./types.js";

export { MemoryCache } from "./memory-cache.js";
export { RedisCache } from "./redis-cache.js";
export type { Cache } from "./types.js";

/** Redis when the node has a Redis connection (REDIS_URL), memory otherwise. */
export function createCache(redis: Redis | undefined, redisPrefix: string): Cache {
  return redis ? new RedisCache(redis, `${redisPrefix}cache:`) : new MemoryCache();
}
