import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { type Config, loadConfig } from "../src/config.js";
import type { Database } from "../src/platform/db/index.js";
import { migrate } from "../src/platform/db/migrate.js";
import { openPglite } from "../src/platform/db/pglite.js";
import { openPostgres } from "../src/platform/db/postgres.js";
import { type RunningServer, startServer } from "../src/server.js";
import { dropRedisPrefix } from "./redis-keys.js";

export { dropRedisKeys } from "./redis-keys.js";

export type Engine = "pglite" | "postgres";

/**
 * The engines every database test runs on: PGlite always, and PostgreSQL + Redis when CI sets
 * TEST_DATABASE_URL and TEST_REDIS_URL.
 */
export const engines: Engine[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export interface TestDatabase {
  db: Database;
  engine: Engine;
  /** Drops what the test created (the PostgreSQL schema) and closes the connection. */
  cleanup(): Promise<void>;
}

/** A migrated database of its own for one test: a copy of the PGlite template, or a new PostgreSQL schema. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === "pglite") {
    const dump = readFileSync(inject("pgliteTemplate"));
    const db = await openPglite(undefined, new Blob([dump]));
    return { db, engine, cleanup: () => db.close() };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = await openPostgres({ url, poolSize: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const db = await openPostgres({ url, poolSize: 10, schema });
  await migrate(db);
  return {
    db,
    engine,
    async cleanup() {
      // A test server closes its database when it stops; closing it again must not skip the drop.
      await db.close().catch(() => {});
      const dropper = await openPostgres({ url, poolSize: 1 });
      await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await dropper.close();
    },
  };
}

/**
 * A config for tests: quiet logs, a fixed JWT secret, port 0, limits high enough not to get in a test's
 * way (rate-limit tests lower them), Redis with a key prefix of its own on the PostgreSQL engine.
 */
export function testConfig(engine: Engine, overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), "softchat-data-"));
  const env: Record<string, string> = {
    NODE_ENV: "test",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    JWT_SECRET: "test-secret-test-secret-test-secret-0123456789",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SEED_DEMO: "false",
    RATE_LIMIT_AUTH: "100000/1m",
    RATE_LIMIT_API: "100000/1m",
    RATE_LIMIT_PAYMENTS: "100000/1m",
    RATE_LIMIT_IP: "100000/1m",
    RATE_LIMIT_SOCKET: "100000/1m",
    REDIS_PREFIX: testRedisPrefix(),
    ...(engine === "postgres" && process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
    ...(engine === "postgres" && process.env.TEST_DATABASE_URL
      ? { DATABASE_URL: process.env.TEST_DATABASE_URL }
      : {}),
    ...overrides,
  };
  return loadConfig(env);
}

export interface TestServer extends RunningServer {
  engine: Engine;
  testDb: TestDatabase;
  /** fetch against the server with JSON in and out. */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  body: any;
}

/** A Redis key prefix of its own under this run's (dropped at the end of the run whatever happens). */
export function testRedisPrefix(): string {
  return `${inject("redisRunPrefix")}${randomUUID()}:`;
}

/** Starts a real Softchat node on a random port over a database of its own. Close it in afterEach/afterAll. */
export async function startTestServer(
  engine: Engine,
  overrides: Record<string, string> = {},
): Promise<TestServer> {
  const testDb = await createTestDatabase(engine);
  const config = testConfig(engine, overrides);
  let server: RunningServer;
  try {
    server = await startServer(config, { db: testDb.db });
  } catch (err) {
    await testDb.cleanup();
    throw err;
  }
  const close = server.close;
  return {
    ...server,
    engine,
    testDb,
    close: async () => {
      await close();
      await testDb.cleanup().catch(() => {});
      rmSync(config.DATA_DIR, { recursive: true, force: true });
      // The prefix testConfig made up is this server's alone; one a test chose may be shared with other nodes.
      if (config.REDIS_URL && overrides.REDIS_PREFIX === undefined) {
        await dropRedisPrefix(config.REDIS_URL, config.REDIS_PREFIX);
      }
    },
    request: (method, path, options) => request(server.url, method, path, options),
  };
}

/** One JSON request against a base URL. */
export async function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (HTML, metrics text): keep the text.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Polls `check` until it stops throwing, instead of sleeping a fixed time. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
