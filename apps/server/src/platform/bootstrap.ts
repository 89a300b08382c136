import { Redis } from "ioredis";
import type { Config } from "../config.js";
import { createTokenService } from "./auth/tokens.js";
import type { AppContext } from "./context.js";
import { type Database, openDatabase } from "./db/index.js";
import { migrate } from "./db/migrate.js";
import { MemoryJobQueue } from "./jobs/index.js";
import { createLogger, type Logger } from "./logger.js";
import { Outbox } from "./outbox/index.js";

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
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { keyPrefix: undefined, maxRetriesPerRequest: 3, lazyConnect: false })
    : undefined;
  const hooks: Array<() => Promise<void> | void> = [];
  const outbox = new Outbox(db, logger);
  const jobs = new MemoryJobQueue(logger);
  const platform: Platform = {
    config,
    db,
    logger,
    outbox,
    jobs,
    redis,
    tokens: createTokenService(config.jwtSecret, config.ACCESS_TOKEN_TTL_SEC),
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
      if (redis) redis.disconnect();
      await db.close();
    },
  };
  return platform;
}
