export {
  enforceLimit,
  installRateLimits,
  type LimitKey,
  rateLimitPreHandler,
  refuse,
  writeLimitHeaders,
} from "./http.js";
export { createLimiter, type Limiter, type LimitResult } from "./limiter.js";
export { createRateLimits, type RateLimits, type TierName } from "./tiers.js";
