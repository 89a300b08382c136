import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { TokenService } from "./auth/tokens.js";
import type { Cache } from "./cache/index.js";
import type { Database } from "./db/index.js";
import type { JobQueue } from "./jobs/index.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { Outbox } from "./outbox/index.js";
import type { RateLimits } from "./ratelimit/index.js";
import type { RealtimeGateway } from "./realtime/gateway.js";

/**
 * The infrastructure a module is given at start, each piece already chosen for the mode (embedded or
 * scaled). Modules keep their own services on `services`, keyed by module name, for other modules to call.
 */
export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  outbox: Outbox;
  jobs: JobQueue;
  tokens: TokenService;
  /** Prometheus registry served at `/metrics`; modules add their own counters and histograms to it. */
  metrics: Metrics;
  /** JSON cache with TTLs: Redis when REDIS_URL is set, memory otherwise. */
  cache: Cache;
  /** Rate-limit tiers from RATE_LIMIT_*: in memory, or on Redis when REDIS_URL is set. */
  rateLimits: RateLimits;
  /** The Socket.IO gateway: modules add socket handlers and connection hooks; `io` emits to rooms. */
  realtime: RealtimeGateway;
  /** Present when REDIS_URL is set. */
  redis: Redis | undefined;
  /** Runs on shutdown, in reverse order of registration, after the HTTP server stops accepting. */
  onShutdown(fn: () => Promise<void> | void): void;
}
