import type { Logger } from "pino";
import type { Database, Transaction } from "../db/index.js";
import { type Periodic, startPeriodic } from "../periodic.js";
import { CHAIN_COLUMNS, type ChainRow, chainHash, GENESIS_HASH } from "./chain.js";

const BATCH = 500;

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
      db.withLock("audit:sealer", async () => {
        let total = 0;
        for (;;) {
          const sealed = await db.transaction((tx) => sealBatch(tx));
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

async function sealBatch(tx: Transaction): Promise<number> {
  const { rows: pending } = await tx.query<ChainRow>(
    `SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT $1`,
    [BATCH],
  );
  if (pending.length === 0) return 0;
  const { rows: tail } = await tx.query<{ seq: string; hash: string }>(
    "SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
  );
  let seq = tail[0] ? BigInt(tail[0].seq) : 0n;
  let prevHash = tail[0]?.hash ?? GENESIS_HASH;
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
  await tx.query(
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
    await periodic?.stop();
  }

  /** Seals now (or right after the round in progress). */
  kick(): void {
    this.periodic?.kick();
  }
}

/** Sealers running in this process; a commit that wrote audit rows wakes them (each checks its own db). */
const sealers = new Set<AuditSealer>();

/** Wakes the running sealers; `recordAudit` calls it after its transaction commits. */
export function wakeAuditSealers(): void {
  for (const sealer of sealers) sealer.kick();
}
