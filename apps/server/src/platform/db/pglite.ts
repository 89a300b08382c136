import { PGlite } from "@electric-sql/pglite";
import { takeFinalWrites } from "./deferred-writes.js";
import { assertOutsideTransaction, runBeforeCommit, runInTransactionScope } from "./guard.js";
import { isolationSql, normalizeParams } from "./params.js";
import type { Database, QueryResult, Row, Session, Transaction, TransactionOptions } from "./types.js";

const TEXT_TYPES = { 20: (v: string) => v, 1700: (v: string) => v };

/**
 * Opens (or creates) an embedded database under `dataDir`; `undefined` keeps it in memory. `onClose` runs
 * once the database is closed (e.g. to release the claim on DATA_DIR).
 */
export async function openPglite(
  dataDir: string | undefined,
  loadDataDir?: Blob,
  onClose?: () => void,
): Promise<Database> {
  const pg = await PGlite.create({
    dataDir,
    parsers: TEXT_TYPES,
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  return new PgliteDatabase(pg, onClose);
}

/** Wraps an already open PGlite instance. */
export function openPgliteOn(pg: PGlite): Database {
  return new PgliteDatabase(pg);
}

interface PgliteTx {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

function wrap<T extends Row>(res: { rows: T[]; affectedRows?: number }): QueryResult<T> {
  return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
}

class PgliteDatabase implements Database {
  readonly engine = "pglite" as const;
  constructor(
    readonly pg: PGlite,
    private readonly onClose?: () => void,
  ) {}

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    assertOutsideTransaction(this);
    return wrap(await this.pg.query<T>(sql, normalizeParams(params)));
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    assertOutsideTransaction(this);
    const hooks: Array<() => void> = [];
    const before: Array<() => Promise<void>> = [];
    const result = await this.pg.transaction(async (raw: PgliteTx) => {
      const setIso = isolationSql(options?.isolation);
      if (setIso) await raw.query(setIso);
      // Statements sent without waiting for the one before are run one after another, as PostgreSQL's
      // client does: the embedded engine would interleave their protocol messages otherwise.
      let previous: Promise<unknown> = Promise.resolve();
      const query = <R extends Row>(sql: string, params?: readonly unknown[]) => {
        const run = previous.then(() => raw.query<R>(sql, normalizeParams(params)));
        previous = run.catch(() => undefined);
        return run.then(wrap);
      };
      const tx: Transaction = {
        query,
        afterCommit: (hook) => hooks.push(hook),
        beforeCommit: (hook) => before.push(hook),
      };
      return runInTransactionScope(this, async () => {
        const value = await fn(tx);
        await runBeforeCommit(before);
        for (const final of takeFinalWrites(tx)) {
          const { rows } = await tx.query(final.sql, final.params);
          final.onRows?.(rows);
        }
        return value;
      });
    });
    for (const hook of hooks) hook();
    return result as T;
  }

  /** A single embedded process is the only writer there is, so the lock is the process itself. */
  async withLock<T>(_key: string, fn: (session: Session) => Promise<T>): Promise<T> {
    assertOutsideTransaction(this);
    return fn({
      query: (sql, params) => this.query(sql, params),
      exec: async (script) => {
        await this.pg.exec(script);
      },
    });
  }

  async close(): Promise<void> {
    try {
      if (!this.pg.closed) await this.pg.close();
    } finally {
      this.onClose?.();
    }
  }
}
