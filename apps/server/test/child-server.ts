import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { openPglite } from "../src/platform/db/pglite.js";
import { openPostgres } from "../src/platform/db/postgres.js";
import { type Engine, testRedisPrefix } from "./harness.js";

const ENTRY = fileURLToPath(new URL("../src/main.ts", import.meta.url));

export interface ChildRun {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines written so far. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Runs the real entry point (`node --import tsx apps/server/src/main.ts`) with exactly `env` (plus PATH). */
export function runEntryPoint(env: Record<string, string>): ChildRun {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const logs = () =>
    out
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, stdout: () => out, stderr: () => err, logs, exited };
}

export interface ChildServerEnv {
  env: Record<string, string>;
  /** Removes the data directory and the PostgreSQL schema. */
  cleanup(): Promise<void>;
}

/**
 * Environment for a child Softchat node on port 0 over a database of its own: a DATA_DIR holding a copy of
 * the migrated PGlite template (creating a database from nothing costs the child seconds), or a new schema
 * (chosen through the connection string) plus a Redis key prefix on PostgreSQL.
 */
export async function childServerEnv(
  engine: Engine,
  extra: Record<string, string> = {},
): Promise<ChildServerEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), "softchat-child-"));
  const env: Record<string, string> = {
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    SEED_DEMO: "false",
    JWT_SECRET: "test-secret-test-secret-test-secret-0123456789",
    RATE_LIMIT_IP: "100000/1m",
    RATE_LIMIT_API: "100000/1m",
    ...extra,
  };
  let schema: string | undefined;
  const pgUrl = process.env.TEST_DATABASE_URL;
  if (engine === "pglite") {
    const copy = await openPglite(
      join(dataDir, "pglite"),
      new Blob([readFileSync(inject("pgliteTemplate"))]),
    );
    await copy.close();
  }
  if (engine === "postgres" && pgUrl) {
    schema = `t_${randomBytes(6).toString("hex")}`;
    const admin = await openPostgres({ url: pgUrl, poolSize: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.close();
    const url = new URL(pgUrl);
    url.searchParams.set("options", `-c search_path=${schema}`);
    env.DATABASE_URL = url.toString();
    if (process.env.TEST_REDIS_URL) env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_PREFIX = testRedisPrefix();
  }
  return {
    env,
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      if (schema && pgUrl) {
        const admin = await openPostgres({ url: pgUrl, poolSize: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.close();
      }
    },
  };
}
