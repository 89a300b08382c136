/**
 * `npm run bench -- ledger [--transfers N] [--accounts N] [--concurrency N] [--engines pglite,postgres]`
 *
 * Random transfers between user accounts through Softchat's ledger (group commit: the LedgerBatcher, engine
 * and SQL every money operation goes through, immutable transfer rows and balance events included; the
 * wallet's HTTP route adds its KYC check, audit row, notifications and idempotency record to the same
 * batch transaction, which this does not measure) and, in the same run on the same
 * database engine, through the naive peer (bench/peers/naive-ledger.ts). Two traffic shapes: uniform, and
 * skewed (10% of the accounts take 90% of the traffic). PostgreSQL comes from TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in a schema of its own dropped at the end. Prints ONE JSON line;
 * exits 1 if an invariant fails.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { LedgerBatcher } from "../apps/server/src/modules/wallet/ledger/batcher.js";
import type { Database } from "../apps/server/src/platform/db/index.js";
import { migrate } from "../apps/server/src/platform/db/migrate.js";
import { openPglite } from "../apps/server/src/platform/db/pglite.js";
import { openPostgres } from "../apps/server/src/platform/db/postgres.js";
import { Outbox } from "../apps/server/src/platform/outbox/index.js";
import { naiveInvariants, naiveTransfer, setupNaiveLedger } from "./peers/naive-ledger.js";

const quick = process.env.BENCH_QUICK === "1";
const { values } = parseArgs({
  options: {
    transfers: { type: "string" },
    accounts: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "256" },
    engines: { type: "string", default: "pglite,postgres" },
  },
});
const ACCOUNTS = Number(values.accounts);
const CONCURRENCY = Number(values.concurrency);
const TRANSFERS = Number(values.transfers ?? (quick ? 2_000 : 20_000));
const INITIAL = 1_000_000_000n; // $10,000,000.00 each: refusals stay rare, so both sides do the same work
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

type Shape = "uniform" | "skewed";
interface Figures {
  transfersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  refused: number;
}

/** Account index for one side of a transfer: skewed sends 90% of picks to the first 10% of accounts. */
function pick(shape: Shape): number {
  if (shape === "skewed" && Math.random() < 0.9) return Math.floor(Math.random() * (ACCOUNTS / 10));
  return Math.floor(Math.random() * ACCOUNTS);
}

function pair(shape: Shape): [number, number] {
  const from = pick(shape);
  let to = pick(shape);
  while (to === from) to = pick(shape);
  return [from, to];
}

/** Runs `total` calls of `one` with `CONCURRENCY` in flight; latency of each call, throughput overall. */
async function drive(total: number, one: () => Promise<boolean>): Promise<Figures> {
  const latencies: number[] = [];
  let refused = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const t = performance.now();
      if (!(await one())) refused++;
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, total) }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
  return { transfersPerSec: Math.round(total / elapsed), p50Ms: at(0.5), p99Ms: at(0.99), refused };
}

async function createUsers(db: Database, n: number): Promise<string[]> {
  const tag = randomBytes(4).toString("hex");
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (email, username, password_hash)
     SELECT 'bench' || g || '-' || $2 || '@example.test', 'bench_' || g || '_' || $2, 'unusable'
       FROM generate_series(1, $1) g RETURNING id`,
    [n, tag],
  );
  return rows.map((r) => r.id);
}

/** Softchat's ledger: every transfer a LedgerBatcher job, as modules submit ledger operations. */
async function softchatRun(db: Database, users: string[], shape: Shape, total: number): Promise<Figures> {
  const logger = pino({ level: "silent" });
  const batcher = new LedgerBatcher(
    { db, outbox: new Outbox(db, logger), logger },
    { windowMs: 1, maxBatch: 500, maxQueued: 100_000, lanes: db.engine === "pglite" ? 1 : 4 },
  );
  const figures = await drive(total, async () => {
    const [from, to] = pair(shape);
    const amount = BigInt(1 + Math.floor(Math.random() * 1000));
    try {
      await batcher.submit({
        op: {
          type: "transfers",
          operationId: randomUUID(),
          transfers: [
            {
              from: { userId: users[from] ?? "" },
              to: { userId: users[to] ?? "" },
              asset: "USD",
              amount,
              kind: "transfer",
            },
          ],
        },
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === "insufficient_funds") return false;
      throw err;
    }
  });
  await batcher.stop();
  return figures;
}

async function fund(db: Database, users: string[]): Promise<void> {
  const logger = pino({ level: "silent" });
  const batcher = new LedgerBatcher(
    { db, outbox: new Outbox(db, logger), logger },
    { windowMs: 1, maxBatch: 500, maxQueued: 100_000, lanes: 1 },
  );
  await Promise.all(
    users.map((userId) =>
      batcher.submit({
        op: {
          type: "transfers",
          operationId: randomUUID(),
          transfers: [
            {
              from: { system: "clearing:sandbox" },
              to: { userId },
              asset: "USD",
              amount: INITIAL,
              kind: "deposit",
            },
          ],
        },
      }),
    ),
  );
  await batcher.stop();
}

/** The ledger's invariants: every asset sums to zero, no user account below zero, totals match transfers. */
async function softchatInvariants(db: Database): Promise<boolean> {
  const { rows } = await db.query<{ imbalanced: string; negative: string; mismatched: string }>(
    `WITH sums AS (
       SELECT id, sum(dp) dp, sum(cp) cp FROM (
         SELECT debit_account_id AS id, amount AS dp, 0 AS cp FROM ledger_transfers WHERE flags = 'posted'
         UNION ALL SELECT credit_account_id, 0, amount FROM ledger_transfers WHERE flags = 'posted') m
       GROUP BY id)
     SELECT
       (SELECT count(*) FROM (SELECT asset FROM ledger_accounts GROUP BY asset
          HAVING sum(credits_posted) <> sum(debits_posted) OR sum(credits_pending) <> sum(debits_pending)) x)::text AS imbalanced,
       (SELECT count(*) FROM ledger_accounts
         WHERE user_id IS NOT NULL AND credits_posted - debits_posted - debits_pending < 0)::text AS negative,
       (SELECT count(*) FROM ledger_accounts a LEFT JOIN sums s ON s.id = a.id
         WHERE a.debits_posted <> coalesce(s.dp, 0) OR a.credits_posted <> coalesce(s.cp, 0))::text AS mismatched`,
  );
  const r = rows[0];
  return r?.imbalanced === "0" && r.negative === "0" && r.mismatched === "0";
}

async function openEngine(engine: string): Promise<{ db: Database; cleanup(): Promise<void> }> {
  if (engine === "pglite") {
    const db = await openPglite(undefined);
    return { db, cleanup: () => db.close() };
  }
  const schema = `bench_${randomBytes(5).toString("hex")}`;
  const admin = await openPostgres({ url: PG_URL, poolSize: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = await openPostgres({ url: PG_URL, poolSize: 20, schema });
  return {
    db,
    async cleanup() {
      await db.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

async function benchEngine(engine: string) {
  const { db, cleanup } = await openEngine(engine);
  try {
    await migrate(db);
    const users = await createUsers(db, ACCOUNTS);
    await fund(db, users);
    await setupNaiveLedger(db, ACCOUNTS, INITIAL);
    const result: Record<string, unknown> = {};
    let ok = true;
    for (const shape of ["uniform", "skewed"] as const) {
      // Warm both paths up (JIT, plans, pool) before measuring.
      await softchatRun(db, users, shape, Math.min(500, TRANSFERS));
      await drive(Math.min(200, TRANSFERS), () => naiveTransfer(db, ...pair(shape), 1n));
      const softchat = await softchatRun(db, users, shape, TRANSFERS);
      const naive = await drive(TRANSFERS, () =>
        naiveTransfer(db, ...pair(shape), BigInt(1 + Math.floor(Math.random() * 1000))),
      );
      result[shape] = {
        softchat,
        naive,
        speedup: Number((softchat.transfersPerSec / Math.max(1, naive.transfersPerSec)).toFixed(2)),
      };
    }
    const softchatOk = await softchatInvariants(db);
    const naiveOk = await naiveInvariants(db, INITIAL * BigInt(ACCOUNTS));
    ok = softchatOk && naiveOk;
    return { ...result, invariants: { softchat: softchatOk, naive: naiveOk }, ok };
  } finally {
    await cleanup();
  }
}

const results: Record<string, unknown> = {};
let allOk = true;
for (const engine of String(values.engines).split(",")) {
  const r = await benchEngine(engine.trim());
  allOk &&= r.ok;
  results[engine.trim()] = r;
}
process.stdout.write(
  `${JSON.stringify({
    bench: "ledger",
    transfers: TRANSFERS,
    accounts: ACCOUNTS,
    concurrency: CONCURRENCY,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? "unknown",
      load1: Number(loadavg()[0]?.toFixed(2)),
    },
    results,
  })}\n`,
);
process.exit(allOk ? 0 : 1);
