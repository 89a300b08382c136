import type { Queryable, Row, Transaction } from "./types.js";

/**
 * Writes whose results nobody reads, sent together just before the commit: each is a data-modifying
 * statement (INSERT, UPDATE or DELETE, no WITH of its own) that becomes one CTE of a single statement, so
 * a transaction pays one round trip for all of them. They share one snapshot: none sees what another
 * wrote, so a deferred write must not depend on an earlier one touching the same rows (foreign keys are
 * fine: they are checked at the end of the statement). Parameters are `$n` as usual, renumbered when
 * combined, so the SQL must hold no `$` of its own.
 */
export interface Write {
  sql: string;
  params: readonly unknown[];
}

const pending = new WeakMap<Transaction, Write[]>();

/** Queues `sql` to run inside `tx` at commit, with the transaction's other deferred writes. */
export function deferWrite(tx: Transaction, sql: string, params: readonly unknown[]): void {
  const queued = pending.get(tx);
  if (queued) {
    queued.push({ sql, params });
    return;
  }
  pending.set(tx, [{ sql, params }]);
  let postponed = false;
  const flush = async () => {
    // Once behind every other before-commit hook, so a statement one of them sends (the outbox's rows)
    // can carry these writes instead of a statement of their own.
    if (!postponed) {
      postponed = true;
      tx.beforeCommit(flush);
      return;
    }
    const combined = takeDeferredWrites(tx, null);
    if (combined) await tx.query(combined.sql, combined.params);
  };
  tx.beforeCommit(flush);
}

/** A statement sent behind everything else of its transaction, with COMMIT (see `deferFinalWrite`). */
export interface FinalWrite extends Write {
  /** Given the statement's rows once it has run, before the commit is confirmed (it may add after-commit hooks). */
  onRows?: (rows: Row[]) => void;
}

const finals = new WeakMap<Transaction, FinalWrite[]>();

/**
 * Queues `write` as one of the transaction's final statements: sent after every before-commit hook, in the
 * order queued, with COMMIT right behind them in the same round trip. For row locks wanted for the last
 * moment only (the ledger's account totals): taken by these statements, they are held for them and the
 * commit, not for a round trip back to this process. A failure of one rolls the transaction back.
 */
export function deferFinalWrite(tx: Transaction, write: FinalWrite): void {
  const queued = finals.get(tx);
  if (queued) queued.push(write);
  else finals.set(tx, [write]);
}

/** The transaction's final writes, taken off their queue (for the database's commit). */
export function takeFinalWrites(tx: Transaction): FinalWrite[] {
  const queued = finals.get(tx) ?? [];
  finals.delete(tx);
  return queued;
}

/**
 * `deferWrite` when `q` is a transaction (the write commits with it, one round trip for all); run now
 * otherwise.
 */
export async function writeAtCommit(q: Queryable, sql: string, params: readonly unknown[]): Promise<void> {
  if (isTransaction(q)) deferWrite(q, sql, params);
  else await q.query(sql, params);
}

/** Whether `q` is an open transaction (rather than the database itself or a lock session). */
export function isTransaction(q: Queryable): q is Transaction {
  return typeof (q as Partial<Transaction>).afterCommit === "function";
}

/**
 * The statement `host` with the transaction's deferred writes in front of it as CTEs (and those writes
 * taken off the queue), or `host` unchanged when none wait. `host` must not read what they write.
 */
export function withDeferredWrites(tx: Transaction, host: Write): Write {
  return takeDeferredWrites(tx, host) ?? host;
}

function takeDeferredWrites(tx: Transaction, host: Write | null): Write | null {
  const writes = pending.get(tx);
  if (!writes || writes.length === 0) return null;
  return combineWrites(writes.splice(0), host);
}

/**
 * Data-modifying statements as the CTEs of ONE statement: in front of `host` (which must not read what
 * they write), or on their own.
 */
export function combineWrites(writes: readonly Write[], host: Write | null): Write {
  const params: unknown[] = [];
  const ctes = writes.map((w, i) => {
    const cte = `deferred_${i} AS (${renumber(w.sql, params.length)})`;
    params.push(...w.params);
    return cte;
  });
  if (!host) return { sql: `WITH ${ctes.join(",\n")}\nSELECT 1`, params };
  const hostSql = renumber(host.sql, params.length);
  params.push(...host.params);
  // A host with CTEs of its own gets these in front of them, under its own WITH (RECURSIVE or not).
  const leadingWith = /^\s*WITH\s+(RECURSIVE\s+)?/i.exec(hostSql);
  const sql = leadingWith
    ? `WITH ${leadingWith[1] ?? ""}${ctes.join(",\n")},\n${hostSql.slice(leadingWith[0].length)}`
    : `WITH ${ctes.join(",\n")}\n${hostSql}`;
  return { sql, params };
}

function renumber(sql: string, offset: number): string {
  return offset === 0 ? sql : sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}
