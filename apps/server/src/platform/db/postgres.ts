import type { Writable } from "node:stream";
import pg from "pg";
import { type FinalWrite, takeFinalWrites } from "./deferred-writes.js";
import { assertOutsideTransaction, runBeforeCommit, runInTransactionScope } from "./guard.js";
import { isolationSql, lockKey, normalizePgParams } from "./params.js";
import type { Database, QueryResult, Row, Session, Transaction, TransactionOptions } from "./types.js";

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Schema every connection works in (tests give each file its own). */
  schema?: string;
}

/** Opens a pooled PostgreSQL database. NUMERIC and BIGINT stay strings, as on PGlite. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    types: { getTypeParser: textNumericParser },
    // A transaction's statements sent without waiting (BEGIN and the first statement, independent reads)
    // go out together instead of one round trip each; each still gets its own answer or error.
    pipeline: true,
  });
  // An idle client's connection dying must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const db = new PostgresDatabase(pool);
  await db.query("SELECT 1");
  return db;
}

function textNumericParser(oid: number, format?: "text" | "binary") {
  if (oid === 20 || oid === 1700) return (v: string) => v;
  // biome-ignore lint/suspicious/noExplicitAny: pg's overloaded type parser signature
  return pg.types.getTypeParser(oid, format as any);
}

const corkedForTick = new WeakSet<object>();

/**
 * Holds a connection's writes to the end of the current tick, so the statements a transaction sends
 * together (BEGIN with its first statement, independent statements sent without waiting) leave in one
 * system call instead of one each. On loopback a write also pays for the receiving side's TCP work: at 250
 * orders/s the server's writes to PostgreSQL were a quarter of its thread's time, one per statement.
 */
function corkForTick(client: pg.PoolClient): void {
  const stream = (client as unknown as { connection?: { stream?: Partial<Writable> } }).connection?.stream;
  if (!stream?.cork || !stream.uncork || corkedForTick.has(stream)) return;
  corkedForTick.add(stream);
  stream.cork();
  process.nextTick(() => {
    corkedForTick.delete(stream);
    stream.uncork?.();
  });
}

/**
 * Sends the transaction's final writes and COMMIT in one go. After a failed final write PostgreSQL answers
 * the COMMIT by rolling back, so that failure is what the caller gets.
 */
async function commit(client: pg.PoolClient, finals: FinalWrite[]): Promise<void> {
  if (finals.length === 0) {
    await client.query("COMMIT");
    return;
  }
  corkForTick(client);
  const sent = finals.map((f) => client.query(f.sql, normalizePgParams(f.params)));
  const committed = client.query("COMMIT");
  // Each is awaited below unless one before it failed; none may be left rejected unhandled.
  for (const p of [...sent, committed]) p.catch(() => {});
  for (const [i, p] of sent.entries()) {
    const { rows } = await p;
    finals[i]?.onRows?.(rows);
  }
  await committed;
}

function wrap<T extends Row>(res: pg.QueryResult): QueryResult<T> {
  return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
}

class PostgresDatabase implements Database {
  readonly engine = "postgres" as const;
  constructor(readonly pool: pg.Pool) {}

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    assertOutsideTransaction(this);
    return wrap(await this.pool.query(sql, normalizePgParams(params)));
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    assertOutsideTransaction(this);
    const { client, lost } = await this.checkout();
    const hooks: Array<() => void> = [];
    const before: Array<() => Promise<void>> = [];
    let broken = false;
    try {
      // Not awaited: the callback's first statement goes out with BEGIN. A failed BEGIN is rethrown below.
      corkForTick(client);
      const begun = client.query("BEGIN").then(
        () => undefined,
        (err: unknown) => err,
      );
      const setIso = isolationSql(options?.isolation);
      if (setIso) await client.query(setIso);
      const tx: Transaction = {
        query: async <R extends Row>(sql: string, params?: readonly unknown[]) => {
          corkForTick(client);
          return wrap<R>(await client.query(sql, normalizePgParams(params)));
        },
        afterCommit: (hook) => hooks.push(hook),
        beforeCommit: (hook) => before.push(hook),
      };
      const result = await runInTransactionScope(this, async () => {
        const value = await fn(tx);
        await runBeforeCommit(before);
        return value;
      }).finally(async () => {
        const failed = await begun;
        if (failed) throw failed;
      });
      await commit(client, takeFinalWrites(tx));
      for (const hook of hooks) hook();
      return result;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken || lost());
    }
  }

  async withLock<T>(key: string, fn: (session: Session) => Promise<T>): Promise<T> {
    assertOutsideTransaction(this);
    const { client, lost } = await this.checkout();
    const k = lockKey(key);
    try {
      await client.query("SELECT pg_advisory_lock($1::bigint)", [k]);
      try {
        return await fn({
          query: async (sql, params) => wrap(await client.query(sql, normalizePgParams(params))),
          exec: async (script) => {
            await client.query(script);
          },
        });
      } finally {
        await client.query("SELECT pg_advisory_unlock($1::bigint)", [k]);
      }
    } finally {
      client.release(lost());
    }
  }

  /**
   * A client out of the pool, listened to while it is out: the pool only listens to idle clients, so a
   * connection dying between two statements of a transaction (or while a lock session waits) would
   * otherwise be an uncaught 'error' that ends the process. The next statement on it fails instead, and
   * the dead client is destroyed on release rather than handed out again.
   */
  private async checkout(): Promise<{ client: pg.PoolClient; lost: () => boolean }> {
    const client = await this.pool.connect();
    let dead = false;
    const onError = () => {
      dead = true;
    };
    client.on("error", onError);
    const release = client.release.bind(client);
    client.release = (destroy?: boolean | Error) => {
      client.off("error", onError);
      return release(destroy);
    };
    return { client, lost: () => dead };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
