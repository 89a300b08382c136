/**
 * The deployment bench/orders.ts measures: the server bundled as `npm run build` does, a database of its
 * own (a PostgreSQL schema plus a Redis key prefix, or a PGlite directory) with its traders inserted, the
 * server started as a child process, and the ledger's invariants read once it has stopped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../apps/server/src/platform/db/index.js";
import { migrate } from "../../apps/server/src/platform/db/migrate.js";
import { openPglite } from "../../apps/server/src/platform/db/pglite.js";
import { openPostgres } from "../../apps/server/src/platform/db/postgres.js";
import { dropRedisPrefix } from "../../apps/server/test/redis-keys.js";

const root = new URL("../..", import.meta.url).pathname;

export interface Deployment {
  engine: "pglite" | "postgres";
  env: Record<string, string>;
  userIds: string[];
  /** Opens the database (only once the server has stopped, for PGlite). */
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

async function insertTraders(db: Database, count: number, tag: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (email, username, password_hash, role, kyc_level, frozen)
     SELECT 'trader' || i || '-' || $1 || '@bench.test', 'trader_' || $1 || '_' || i, 'unusable', 'user', 3, false
       FROM generate_series(1, $2::int) AS i ORDER BY i RETURNING id`,
    [tag, count],
  );
  return rows.map((r) => r.id);
}

/** A migrated database with `count` KYC level 3 traders: PGlite files, or a PostgreSQL schema + Redis prefix. */
export async function prepareDeployment(count: number, pglite: boolean): Promise<Deployment> {
  const tag = randomBytes(4).toString("hex");
  if (pglite) {
    const dataDir = mkdtempSync(join(tmpdir(), "softchat-bench-orders-"));
    const path = join(dataDir, "pglite");
    const db = await openPglite(path);
    await migrate(db);
    const userIds = await insertTraders(db, count, tag);
    await db.close();
    return {
      engine: "pglite",
      env: { DATA_DIR: dataDir },
      userIds,
      open: () => openPglite(path),
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const schema = `bench_orders_${tag}`;
  const admin = await openPostgres({ url, poolSize: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres({ url, poolSize: 2, schema });
  await migrate(db);
  const userIds = await insertTraders(db, count, tag);
  await db.close();
  const withSchema = new URL(url);
  withSchema.searchParams.set("options", `-c search_path=${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), "softchat-bench-orders-"));
  return {
    engine: "postgres",
    env: {
      DATABASE_URL: withSchema.toString(),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `bench:${tag}:`,
      DATA_DIR: dataDir,
    },
    userIds,
    open: () => openPostgres({ url, poolSize: 2, schema }),
    cleanup: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
      await dropRedisPrefix(redisUrl, `bench:${tag}:`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * CPU seconds (user + system) used so far by every process of this machine whose command is `name` (say
 * "postgres" or "redis-server"): what the database and Redis spend for a run is the difference of two reads.
 * Processes that ended between the reads are missed, so a figure is a floor.
 */
export function machineCpuSeconds(name: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = procStat(pid);
      if (stat.command === name) total += stat.cpuSeconds;
    } catch {
      // The process ended while being read.
    }
  }
  return total;
}

/** A process's command and CPU seconds (user + system) from `/proc/<pid>/stat`. */
function procStat(pid: string | number): { command: string; cpuSeconds: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command sits in parentheses and may hold spaces; the fields after it are space-separated.
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  const fields = stat.slice(close + 2).split(" ");
  // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second).
  return {
    command: stat.slice(open + 1, close),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
  };
}

export interface ChildServer {
  url: string;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts `node <script>` and resolves once it prints its URL (`running at ...`) or `{"port":N}`. */
export function startChild(args: string[], env: Record<string, string>): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    // Kept reading to the end: a pipe left full would stall the server's logging. BENCH_SERVER_LOG names a
    // file to keep what it printed.
    const log = process.env.BENCH_SERVER_LOG;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (log) appendFileSync(log, chunk);
    };
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    const onExit = (code: number | null) =>
      reject(new Error(`${args.at(-1)} exited (${code}): ${output.slice(-2000)}`));
    child.on("exit", onExit);
    let started = false;
    const onData = (chunk: Buffer) => {
      keep(chunk);
      if (started) return;
      const url = /running at (http:\/\/\S+)/.exec(output)?.[1];
      const port = /\{"port":(\d+)\}/.exec(output)?.[1];
      if (!url && !port) return;
      started = true;
      resolve({
        url: url ?? `http://127.0.0.1:${port}`,
        cpuSeconds: () => procStat(child.pid ?? 0).cpuSeconds,
        stop: () => {
          child.off("exit", onExit);
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
          }
          return exited;
        },
      });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", keep);
  });
}

export interface LedgerCheck {
  /** Assets whose accounts do not sum to zero (posted or pending). */
  imbalancedAssets: string[];
  negativeUserAccounts: number;
  /** Accepted orders the engines never processed. */
  unprocessedOrders: number;
  ordersByStatus: Record<string, number>;
  trades: number;
  /** Batches of fills the portfolio had not recorded yet when the server stopped. */
  portfolioBacklog: number;
}

/** The ledger's invariants and the pipeline's end state, read straight from the stopped server's database. */
export async function checkLedger(db: Database): Promise<LedgerCheck> {
  const imbalanced = await db.query<{ asset: string }>(
    `SELECT asset FROM ledger_accounts GROUP BY asset
     HAVING sum(credits_posted) <> sum(debits_posted) OR sum(credits_pending) <> sum(debits_pending)`,
  );
  const negative = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ledger_accounts
      WHERE user_id IS NOT NULL AND credits_posted - debits_posted - debits_pending < 0`,
  );
  const unprocessed = await db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM trading_orders WHERE status = 'new' AND seq IS NULL",
  );
  const statuses = await db.query<{ status: string; n: string }>(
    "SELECT status, count(*)::text AS n FROM trading_orders GROUP BY status ORDER BY status",
  );
  const trades = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM trading_trades");
  const backlog = await db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM outbox WHERE topic = 'trading.fills_settled' AND delivered_at IS NULL",
  );
  return {
    imbalancedAssets: imbalanced.rows.map((r) => r.asset),
    negativeUserAccounts: Number(negative.rows[0]?.n ?? 0),
    unprocessedOrders: Number(unprocessed.rows[0]?.n ?? 0),
    ordersByStatus: Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)])),
    trades: Number(trades.rows[0]?.n ?? 0),
    portfolioBacklog: Number(backlog.rows[0]?.n ?? 0),
  };
}
