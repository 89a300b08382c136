import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../apps/server/src/platform/db/index.js";
import { migrate } from "../../apps/server/src/platform/db/migrate.js";
import { openPglite } from "../../apps/server/src/platform/db/pglite.js";
import { openPostgres } from "../../apps/server/src/platform/db/postgres.js";
import { dropRedisPrefix } from "../../apps/server/test/redis-keys.js";

/** Where the benchmarked node keeps its data, the environment that points it there, and its users. */
export interface Deployment {
  env: Record<string, string>;
  userIds: string[];
  cleanup(): Promise<void>;
}

/** A migrated database with `count` users, embedded (PGlite files the child opens) or PostgreSQL + Redis. */
export async function prepareDatabase(count: number, scaled: boolean): Promise<Deployment> {
  const tag = randomBytes(4).toString("hex");
  const insertUsers = async (db: Database) => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (email, username, password_hash, role, kyc_level, frozen)
       SELECT 'bench' || i || '-' || $1 || '@bench.test', 'bench_' || $1 || '_' || i, 'unusable', 'user', 1, false
       FROM generate_series(1, $2::int) AS i RETURNING id`,
      [tag, count],
    );
    return rows.map((r) => r.id);
  };
  if (!scaled) {
    const dataDir = mkdtempSync(join(tmpdir(), "softchat-bench-"));
    const db = await openPglite(join(dataDir, "pglite"));
    await migrate(db);
    const userIds = await insertUsers(db);
    await db.close();
    return {
      env: { DATA_DIR: dataDir },
      userIds,
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!url || !redisUrl) throw new Error("--scaled needs TEST_DATABASE_URL and TEST_REDIS_URL");
  const schema = `bench_${tag}`;
  const admin = await openPostgres({ url, poolSize: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres({ url, poolSize: 2, schema });
  await migrate(db);
  const userIds = await insertUsers(db);
  await db.close();
  const separator = url.includes("?") ? "&" : "?";
  return {
    env: {
      DATABASE_URL: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `bench:${tag}:`,
    },
    userIds,
    cleanup: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
      await dropRedisPrefix(redisUrl, `bench:${tag}:`);
    },
  };
}

/** Limits high enough that the benchmark measures fan-out, not the rate limiter. */
export const benchLimits = (connections: number, jwtSecret: string): Record<string, string> => ({
  NODE_ENV: "production",
  JWT_SECRET: jwtSecret,
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "warn",
  SEED_DEMO: "false",
  RATE_LIMIT_AUTH: "1000000/1m",
  RATE_LIMIT_API: "1000000/1m",
  RATE_LIMIT_IP: "1000000/1m",
  RATE_LIMIT_SOCKET: "1000000/1m",
  SOCKET_MAX_CONNECTIONS: String(connections + 100),
  SOCKET_IDLE_TIMEOUT_MS: "3600000",
});
