import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { migrate } from "../src/platform/db/migrate.js";
import { openPgliteFrom } from "./pglite-template.js";
import { dropRedisPrefix } from "./redis-keys.js";

/**
 * Migrates one PGlite database per run and saves it as a dump: each test then loads its own copy in
 * ~0.4 s instead of creating and migrating a fresh one in ~2.5 s. Checks the CI databases are reachable.
 * Every Redis prefix a test makes up starts with this run's own (`testRedisPrefix`); the teardown drops
 * whatever is left under it, so a run leaves no keys on a shared Redis even where a suite's own cleanup
 * does not reach (platforms started directly, nodes killed mid-test).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runPrefix = `test:${randomUUID().slice(0, 8)}:`;
  project.provide("redisRunPrefix", runPrefix);
  const pg = await PGlite.create();
  await migrate(openPgliteFrom(pg));
  const dump = await pg.dumpDataDir("none");
  await pg.close();
  const dir = join(tmpdir(), "softchat-test");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteTemplate", file);

  if (process.env.TEST_DATABASE_URL) {
    const { default: pgLib } = await import("pg");
    const client = new pgLib.Client({ connectionString: process.env.TEST_DATABASE_URL });
    try {
      await client.connect();
      await client.query("SELECT 1");
    } catch (err) {
      throw new Error(`TEST_DATABASE_URL is set but PostgreSQL cannot be reached: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (process.env.TEST_REDIS_URL) {
    const { Redis } = await import("ioredis");
    const redis = new Redis(process.env.TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      throw new Error(`TEST_REDIS_URL is set but Redis cannot be reached: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
  return async () => {
    if (process.env.TEST_REDIS_URL) await dropRedisPrefix(process.env.TEST_REDIS_URL, runPrefix);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
    redisRunPrefix: string;
  }
}
