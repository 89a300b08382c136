import type { Queryable } from "../db/index.js";
import { CHAIN_COLUMNS, type ChainRow, chainHash, GENESIS_HASH } from "./chain.js";

export interface AuditChainReport {
  /** True when every sealed row links to the one before and its hash matches its content. */
  ok: boolean;
  /** Sealed rows checked. */
  rows: number;
  /** Rows written but not sealed yet (not part of the check). */
  unsealed: number;
  /** The first position where the chain breaks. */
  firstBadSeq?: string;
  reason?: string;
}

interface SealedRow extends ChainRow {
  seq: string;
  prev_hash: string;
  hash: string;
}

const PAGE = 1000;

/**
 * Walks the sealed audit log in seq order and recomputes every hash: an edited row, a removed row or a
 * broken link is reported at the first seq where it shows.
 */
export async function verifyAuditChain(db: Queryable): Promise<AuditChainReport> {
  const { rows: counts } = await db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM audit_log WHERE seq IS NULL",
  );
  const unsealed = Number(counts[0]?.n ?? 0);
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const { rows } = await db.query<SealedRow>(
      `SELECT ${CHAIN_COLUMNS}, seq, prev_hash, hash FROM audit_log
        WHERE seq >= $1 ORDER BY seq LIMIT $2`,
      [expectedSeq, PAGE],
    );
    for (const row of rows) {
      const seq = BigInt(row.seq);
      const bad = (reason: string): AuditChainReport => ({
        ok: false,
        rows: checked,
        unsealed,
        firstBadSeq: expectedSeq.toString(),
        reason,
      });
      if (seq !== expectedSeq) return bad(`row ${expectedSeq} is missing`);
      if (row.prev_hash !== prevHash) return bad(`row ${seq} does not link to the row before it`);
      if (chainHash(prevHash, seq, row) !== row.hash) return bad(`row ${seq} does not match its hash`);
      prevHash = row.hash;
      expectedSeq += 1n;
      checked += 1;
    }
    if (rows.length < PAGE) return { ok: true, rows: checked, unsealed };
  }
}
