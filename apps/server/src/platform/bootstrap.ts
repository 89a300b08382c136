import { Redis } from "ioredis";
import type { Config } from "../config.js";
import { AuditSealer } from "./audit/index.js";
import { createTokenService } from "./auth/tokens.js";
import { createCache } from "./cache/index.js";
import type { AppContext } from "./context.js";
import { type Database, openDatabase } from "./db/index.js";
import { migrate } from "./db/migrate.js";
import { BullJobQueue, type JobQueue, MemoryJobQueue } from "./jobs/index.js";
import { createLogger, type Logger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { Outbox } from "./outbox/index.js";
import { createRateLimits } from "./ratelimit/index.js";
import { RealtimeGateway } from "./realtime/gateway.js";

export interface PlatformOptions {
  /** Use this database instead of opening the one the config names (tests). */
  db?: Database;
  logger?: Logger;
}

export interface Platform extends AppContext {
  /** Runs the shutdown hooks in reverse order, then closes Redis and the database. */
  shutdown(): Promise<void>;
}

/** Opens the database, applies migrations and wires the infrastructure chosen by the config. */
export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger(config);
  const db = options.db ?? (await openDatabase(config));
  const applied = await migrate(db);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  // Rate limits, cache and presence send many small commands per request: those of one tick share a write.
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, {
        keyPrefix: undefined,
        maxRetriesPerRequest: 3,
        lazyConnect: false,
        enableAutoPipelining: true,
      })
    : undefined;
  // Without a listener ioredis prints every failed reconnect to stderr; one warning per outage is enough.
  let redisDown = false;
  redis?.on("error", (err) => {
    if (!redisDown) logger.warn({ err }, "redis unreachable, reconnecting");
    redisDown = true;
  });
  redis?.on("ready", () => {
    redisDown = false;
  });
  const hooks: Array<() => Promise<void> | void> = [];
  const outbox = new Outbox(db, logger);
  const jobs: JobQueue = config.REDIS_URL
    ? new BullJobQueue(
        { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, concurrency: config.JOBS_CONCURRENCY },
        logger,
      )
    : new MemoryJobQueue(logger);
  // Seals the audit hash chain after commits; stopped below once nothing writes any more.
  const auditSealer = new AuditSealer(db, logger, config.AUDIT_SEAL_INTERVAL_MS);
  auditSealer.start();
  const platform: Platform = {
    config,
    db,
    logger,
    outbox,
    jobs,
    redis,
    metrics: new Metrics(),
    cache: createCache(redis, config.REDIS_PREFIX),
    tokens: createTokenService(config.jwtSecret, config.ACCESS_TOKEN_TTL_SEC),
    rateLimits: createRateLimits({ config, redis }),
    realtime: new RealtimeGateway(config, logger),
    onShutdown: (fn) => hooks.push(fn),
    async shutdown() {
      for (const fn of hooks.reverse()) {
        try {
          await fn();
        } catch (err) {
          logger.error({ err }, "shutdown hook failed");
        }
      }
      await jobs.stop();
      await outbox.stop();
      await auditSealer.stop();
      if (redis) redis.disconnect();
      await db.close();
    },
  };
  return platform;
}
