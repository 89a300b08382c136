import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openPostgres } from "../src/platform/db/postgres.js";
import { testRedisPrefix } from "./harness.js";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** A real Softchat server process, for tests of several nodes sharing one PostgreSQL and Redis. */
export interface Node {
  url: string;
  process: ChildProcess;
  dataDir: string;
}

/** Starts `node --import tsx apps/server/src/main.ts` and resolves once it prints where it listens. */
export function startNode(env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), "softchat-node-"));
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolveNode, reject) => {
    let output = "";
    const timeout = setTimeout(() => reject(new Error(`node did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timeout);
        resolveNode({ url: match[1], process: child, dataDir });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timeout);
      reject(new Error(`node exited with ${code}:\n${output}`));
    });
  });
}

/** Stops a node with `signal` (SIGKILL to simulate a crash) and removes its data folder. */
export async function stopNode(node: Node, signal: NodeJS.Signals): Promise<void> {
  if (node.process.exitCode === null && node.process.signalCode === null) {
    const exited = new Promise((r) => node.process.once("exit", r));
    node.process.kill(signal);
    await exited;
  }
  rmSync(node.dataDir, { recursive: true, force: true });
}

/**
 * Creates `schema` on the test PostgreSQL (`databaseUrl`) and returns the environment of nodes that share it
 * and the test Redis under a prefix of their own: test logging, a free port, no demo data, rate limits out
 * of the way. `extra` adds to it or overrides it.
 */
export async function sharedNodeEnv(options: {
  databaseUrl: string;
  redisUrl: string;
  schema: string;
  jwtSecret: string;
  poolSize: number;
  extra?: Record<string, string>;
}): Promise<Record<string, string>> {
  const { databaseUrl: url, schema } = options;
  const creator = await openPostgres({ url, poolSize: 1 });
  await creator.query(`CREATE SCHEMA ${schema}`);
  await creator.close();
  const separator = url.includes("?") ? "&" : "?";
  return {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    PORT: "0",
    JWT_SECRET: options.jwtSecret,
    SEED_DEMO: "false",
    DATABASE_URL: `${url}${separator}options=-c%20search_path%3D${schema}`,
    DATABASE_POOL_SIZE: String(options.poolSize),
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: testRedisPrefix(),
    RATE_LIMIT_AUTH: "100000/1m",
    RATE_LIMIT_API: "100000/1m",
    RATE_LIMIT_IP: "100000/1m",
    ...options.extra,
  };
}
