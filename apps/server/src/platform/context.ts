import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { TokenService } from "./auth/tokens.js";
import type { Database } from "./db/index.js";
import type { JobQueue } from "./jobs/index.js";
import type { Logger } from "./logger.js";
import type { Outbox } from "./outbox/index.js";

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
  /** Present when REDIS_URL is set. */
  redis: Redis | undefined;
  /** Runs on shutdown, in reverse order of registration, after the HTTP server stops accepting. */
  onShutdown(fn: () => Promise<void> | void): void;
}
