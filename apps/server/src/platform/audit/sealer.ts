import type { Logger } from "pino";
import type { Database, Queryable } from "../db/index.js";
import { type Periodic, startPeriodic } from "../periodic.js";
import { CHAIN_COLUMNS, type ChainRow, chainHash, GENESIS_HASH } from "./chain.js";

const BATCH = 500;

/**
 * How long a commit's wake-up waits before sealing, so the rows of every commit in that time share one
 * round: a round's lock, read and update cost the same for one row as for hundreds.
 */
const WAKE_DELAY_MS = 100;

/** Per database, the sealing in progress in this process: PGlite's `withLock` does not exclude callers. */
const running = new WeakMap<Database, Promise<number>>();

/**
 * Adds every committed unsealed audit row to the hash chain, in id order: each gets the next `seq`, the
 * previous row's hash as `prev_hash`, and its own `hash`. One sealer at a time across the deployment (an
 * advisory lock) and in this process. Returns how many rows it sealed.
 */
export async function sealAuditLog(db: Database): Promise<number> {
  const previous = running.get(db) ?? Promise.resolve(0);
  const next = previous
    .catch(() => 0)
    .then(() =>
      db.withLock("audit:sealer", async (session) => {
        let total = 0;
        for (;;) {
          const sealed = await sealBatch(session);
          total += sealed;
          if (sealed < BATCH) return total;
        }
      }),
    );
  running.set(db, next);
  try {
    return await next;
  } finally {
    if (running.get(db) === next) running.delete(db);
  }
}

/**
 * Seals the next unsealed rows in two statements: one reads them with the chain's tail, one UPDATE writes
 * their links. No transaction is needed: the lock keeps other sealers out, and the UPDATE is atomic and
 * only touches rows still unsealed.
 */
async function sealBatch(session: Queryable): Promise<number> {
  const { rows: pending } = await session.query<
    ChainRow & { tail_seq: string | null; tail_hash: string | null }
  >(
    `WITH tail AS (SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1)
     SELECT p.*, (SELECT seq FROM tail) AS tail_seq, (SELECT hash FROM tail) AS tail_hash
       FROM (SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT $1) p
      ORDER BY p.id`,
    [BATCH],
  );
  const first = pending[0];
  if (!first) return 0;
  let seq = first.tail_seq === null ? 0n : BigInt(first.tail_seq);
  let prevHash = first.tail_hash ?? GENESIS_HASH;
  const ids: string[] = [];
  const seqs: string[] = [];
  const prevHashes: string[] = [];
  const hashes: string[] = [];
  for (const row of pending) {
    seq += 1n;
    const hash = chainHash(prevHash, seq, row);
    ids.push(String(row.id));
    seqs.push(seq.toString());
    prevHashes.push(prevHash);
    hashes.push(hash);
    prevHash = hash;
  }
  await session.query(
    `UPDATE audit_log a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
       FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::bigint[]) AS seq,
                    unnest($3::text[]) AS prev_hash, unnest($4::text[]) AS hash) v
      WHERE a.id = v.id AND a.seq IS NULL`,
    [ids, seqs, prevHashes, hashes],
  );
  return pending.length;
}

/** Seals the audit log in the background: every `intervalMs`, and soon after any commit that wrote to it. */
export class AuditSealer {
  private periodic: Periodic | undefined;
  private wake: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.periodic) return;
    this.periodic = startPeriodic({
      name: "audit sealing",
      intervalMs: this.intervalMs,
      logger: this.logger,
      run: () => sealAuditLog(this.db),
    });
    sealers.add(this);
  }

  /** Stops the timer and waits for a sealing in progress. */
  async stop(): Promise<void> {
    const periodic = this.periodic;
    this.periodic = undefined;
    sealers.delete(this);
    clearTimeout(this.wake);
    this.wake = undefined;
    await periodic?.stop();
  }

  /** Seals shortly (WAKE_DELAY_MS), together with whatever else commits meanwhile. */
  kick(): void {
    if (this.wake || !this.periodic) return;
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.periodic?.kick();
    }, WAKE_DELAY_MS);
    this.wake.unref();
  }
}

/** Sealers running in this process; a commit that wrote audit rows wakes them (each checks its own db). */
const sealers = new Set<AuditSealer>();

/** Wakes the running sealers; `recordAudit` calls it after its transaction commits. */
export function wakeAuditSealers(): void {
  for (const sealer of sealers) sealer.kick();
}
