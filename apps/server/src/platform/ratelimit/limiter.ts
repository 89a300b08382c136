import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { RateTier } from "../../config.js";
import type { AppContext } from "../context.js";

/** The state of one key of a limiter after (or without) spending a point. */
export interface LimitResult {
  /** False when the key had no points left: the caller must refuse. */
  allowed: boolean;
  /** Points per window. */
  limit: number;
  /** Points left in the current window. */
  remaining: number;
  /** Milliseconds until the window ends and the full allowance is back. */
  resetMs: number;
  /** Milliseconds to wait before trying again; 0 when allowed. */
  retryAfterMs: number;
}

/** A fixed-window counter per key (IP, user id, email, socket id). */
export interface Limiter {
  readonly name: string;
  readonly tier: RateTier;
  /** Spends one point (or `points`) of `key`. Never throws for an exhausted key: read `allowed`. */
  consume(key: string, points?: number): Promise<LimitResult>;
  /** The key's state without spending anything; `allowed` says whether one more point is available. */
  peek(key: string): Promise<LimitResult>;
  /** Gives the key its full allowance back (e.g. failed sign-ins after a successful one). */
  reset(key: string): Promise<void>;
  /**
   * Gives back `points` spent on a request that turned out not to be worth counting (a refresh with a
   * valid token). Best effort: never throws, since the request it follows has already succeeded.
   */
  refund(key: string, points?: number): Promise<void>;
}

/**
 * A limiter named `name` with `tier.points` per `tier.durationSec`: in memory on an embedded node, on Redis
 * (shared by every node with the same REDIS_PREFIX) when REDIS_URL is set. A command sent while Redis is
 * still connecting waits for it; one that fails (Redis down) is counted in the node's own memory instead,
 * rather than refusing or waving everything through.
 */
export function createLimiter(
  ctx: Pick<AppContext, "config" | "redis">,
  name: string,
  tier: RateTier,
): Limiter {
  const options = { points: tier.points, duration: tier.durationSec };
  const store: RateLimiterAbstract = ctx.redis
    ? new RateLimiterRedis({
        ...options,
        storeClient: ctx.redis,
        keyPrefix: `${ctx.config.REDIS_PREFIX}rl:${name}`,
        insuranceLimiter: new RateLimiterMemory({ ...options, keyPrefix: `rl:${name}` }),
      })
    : new RateLimiterMemory({ ...options, keyPrefix: `rl:${name}` });

  const result = (res: RateLimiterRes | null, allowed: boolean): LimitResult => {
    const consumed = res?.consumedPoints ?? 0;
    const resetMs = Math.max(0, res?.msBeforeNext ?? 0);
    return {
      allowed,
      limit: tier.points,
      remaining: Math.max(0, tier.points - consumed),
      resetMs,
      retryAfterMs: allowed ? 0 : Math.max(1, resetMs),
    };
  };

  return {
    name,
    tier,
    async consume(key, points = 1) {
      try {
        return result(await store.consume(key, points), true);
      } catch (err) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the key is spent, with an Error otherwise.
        if (err instanceof RateLimiterRes) return result(err, false);
        throw err;
      }
    },
    async peek(key) {
      const res = await store.get(key);
      return result(res, (res?.consumedPoints ?? 0) < tier.points);
    },
    async reset(key) {
      await store.delete(key);
    },
    async refund(key, points = 1) {
      try {
        await store.reward(key, points);
      } catch {
        // Unreachable store: the point stays spent until the window ends, which only errs on the safe side.
      }
    },
  };
}
