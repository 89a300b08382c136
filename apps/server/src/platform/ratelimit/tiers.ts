import type { Config } from "../../config.js";
import type { AppContext } from "../context.js";
import { createLimiter, type Limiter } from "./limiter.js";

/**
 * The configured tiers. `ip`: every request per client IP. `api`: every authenticated request per user.
 * `auth`: register, sign-in and refresh per IP (a refresh with a valid token gets its point back). `authAccount`: failed sign-ins per account (email).
 * `payments`: deposits and withdrawals per user.
 */
export type TierName = "ip" | "api" | "auth" | "authAccount" | "payments";

/** One limiter per tier, shared by every route of a node (and by every node when Redis is configured). */
export type RateLimits = Readonly<Record<TierName, Limiter>>;

/** Builds the tiers from RATE_LIMIT_* in the config, in memory or on Redis. */
export function createRateLimits(ctx: { config: Config; redis: AppContext["redis"] }): RateLimits {
  const { config } = ctx;
  return {
    ip: createLimiter(ctx, "ip", config.RATE_LIMIT_IP),
    api: createLimiter(ctx, "api", config.RATE_LIMIT_API),
    auth: createLimiter(ctx, "auth", config.RATE_LIMIT_AUTH),
    authAccount: createLimiter(ctx, "auth-account", config.RATE_LIMIT_AUTH),
    payments: createLimiter(ctx, "payments", config.RATE_LIMIT_PAYMENTS),
  };
}
