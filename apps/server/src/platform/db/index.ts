import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../../config.js";
import { claimDataDir } from "./data-dir-lock.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";
import type { Database } from "./types.js";

export {
  combineWrites,
  deferFinalWrite,
  deferWrite,
  type FinalWrite,
  isTransaction,
  type Write,
  withDeferredWrites,
  writeAtCommit,
} from "./deferred-writes.js";
export type { Database, Isolation, Queryable, QueryResult, Row, Session, Transaction } from "./types.js";

/** Opens the database the config names: PostgreSQL when DATABASE_URL is set, PGlite under DATA_DIR otherwise. */
export async function openDatabase(config: Config): Promise<Database> {
  if (config.DATABASE_URL)
    return openPostgres({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  const dir = resolve(config.DATA_DIR);
  mkdirSync(dir, { recursive: true });
  const release = claimDataDir(dir);
  try {
    return await openPglite(join(dir, "pglite"), undefined, release);
  } catch (err) {
    release();
    throw err;
  }
}
