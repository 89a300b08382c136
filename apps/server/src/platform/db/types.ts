/** One row as returned by the database: NUMERIC and BIGINT columns arrive as strings on both engines. */
export type Row = Record<string, unknown>;

export interface QueryResult<T extends Row = Row> {
  rows: T[];
  rowCount: number;
}

/** Anything SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one parameterized statement ($1, $2, ...). bigint parameters are sent as decimal strings. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** A single connection: parameterized statements, and scripts of several statements (migrations). */
export interface Session extends Queryable {
  exec(script: string): Promise<void>;
}

export type Isolation = "read committed" | "repeatable read" | "serializable";

/**
 * An open transaction. Statements may be sent without waiting for the one before: they run in the order
 * sent, each as soon as the previous is done (on PostgreSQL without waiting for this process to read the
 * answer), so independent statements cost one wait instead of several. After a failed statement every
 * later one of the transaction fails too.
 */
export interface Transaction extends Queryable {
  /** Runs `fn` once the transaction has committed; never on rollback. */
  afterCommit(fn: () => void): void;
  /**
   * Runs `fn` inside the transaction once its callback has finished, just before COMMIT (a failure rolls
   * everything back): for writes gathered along the way and sent as one statement (the outbox's rows).
   */
  beforeCommit(fn: () => Promise<void>): void;
}

export interface TransactionOptions {
  isolation?: Isolation;
}

/**
 * One interface over PGlite (embedded) and PostgreSQL (pooled `pg`). Domain code never knows which.
 * Inside `transaction` use only the `tx` it hands you: calling the database itself from inside a
 * transaction callback throws, since on PGlite it would wait for the transaction forever.
 */
export interface Database extends Queryable {
  readonly engine: "pglite" | "postgres";
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `fn` while holding a deployment-wide lock named `key` (a PostgreSQL advisory lock), so work
   * that needs a single writer (migrations, schedulers) runs on one node at a time.
   */
  withLock<T>(key: string, fn: (session: Session) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
