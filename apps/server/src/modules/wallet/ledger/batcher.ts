import type { AppContext } from "../../../platform/context.js";
import type { Transaction } from "../../../platform/db/index.js";
import { GroupCommit, type JobOutcome } from "../../../platform/group-commit.js";
import { AppError } from "../../../platform/http/errors.js";
import { ensureLimitRows, type OutflowCharge, OutflowLimits } from "../limits.js";
import { creditKeys, executeOperations, resolveOps } from "./engine.js";
import type { ResolvedOp } from "./plan.js";
import { createAccounts, existingAccountKeys } from "./repo.js";
import type { LedgerOp, OpOutcome } from "./types.js";

type Applied = Extract<OpOutcome, { ok: true }>;

/** One money operation with the work that must commit together with it. */
export interface LedgerJob<R> {
  op: LedgerOp;
  /** The user whose outflow `check` will charge, known upfront so its lock row exists before the batch. */
  outflowUserId?: string;
  /**
   * Runs in the batch's transaction before any movement: fresh reads and rules (frozen, KYC level). Throw an
   * AppError to refuse the job alone. Returns the outflow to count against the user's KYC limit, if any.
   */
  check?: (tx: Transaction) => Promise<OutflowCharge | undefined>;
  /** Runs in the same transaction once the movement is applied: records, audit, events, idempotent reply. */
  finish?: (tx: Transaction, applied: Applied) => Promise<R>;
}

export interface JobResult<R> {
  applied: Applied;
  value: R | undefined;
}

export interface BatcherOptions {
  /** How long the first job of a batch waits for company (ms). */
  windowMs: number;
  maxBatch: number;
  /** Most jobs waiting; past it `submit` refuses with 503 `unavailable` rather than queue without bound. */
  maxQueued: number;
  /** Batches in flight at once; their locks are taken in one global order, so they cannot deadlock. */
  lanes: number;
  /** Told about every committed batch: its size, how many jobs were refused, how long it took (ms). */
  observe?: (batch: { size: number; refused: number; durationMs: number }) => void;
}

type BatcherContext = Pick<AppContext, "db" | "outbox" | "logger">;

/** Ids known to exist are remembered; the set is dropped when it grows past this (it is only a shortcut). */
const KNOWN_LIMIT = 200_000;

/**
 * Group commit for money operations. Jobs submitted while a batch is being written wait for the next one;
 * each batch is ONE transaction with a handful of statements whatever its size: checks, KYC limits, the
 * ledger movement, then each job's records and events. A job refused by a rule fails alone; a batch that
 * fails as a whole (a database error) is retried job by job, so one bad job cannot sink the others.
 */
export class LedgerBatcher {
  private readonly queue: GroupCommit<LedgerJob<unknown>, JobResult<unknown>>;
  private readonly knownAccounts = new Set<string>();
  private readonly knownLimitRows = new Set<string>();

  constructor(
    private readonly ctx: BatcherContext,
    private readonly options: BatcherOptions,
  ) {
    this.queue = new GroupCommit((jobs) => this.runBatch(jobs), {
      windowMs: options.windowMs,
      maxBatch: options.maxBatch,
      maxQueued: options.maxQueued,
      lanes: options.lanes,
      busyMessage: "The wallet is busy; try again shortly",
    });
  }

  /** Queues a job; resolves once its batch committed, rejects with the job's own refusal or error. */
  submit<R>(job: LedgerJob<R>): Promise<JobResult<R>> {
    return this.queue.submit(job) as Promise<JobResult<R>>;
  }

  /** Stops taking jobs, writes those queued, waits for batches in flight. */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async runBatch(batch: LedgerJob<unknown>[]): Promise<JobOutcome<JobResult<unknown>>[]> {
    try {
      const started = performance.now();
      const resolved = resolveOps(batch.map((job) => job.op));
      await this.ensureRows(resolved, batch);
      const results = await this.ctx.db.transaction((tx) => this.applyBatch(tx, batch, resolved));
      this.options.observe?.({
        size: batch.length,
        refused: results.filter((r) => !r.ok).length,
        durationMs: performance.now() - started,
      });
      return results.map((r) =>
        r.ok ? { ok: true, value: { applied: r.applied, value: r.value } } : { ok: false, error: r.error },
      );
    } catch (err) {
      if (batch.length === 1) return [{ ok: false, error: err }];
      this.ctx.logger.warn({ err, size: batch.length }, "wallet batch failed; retrying its jobs one by one");
      const outcomes: JobOutcome<JobResult<unknown>>[] = [];
      for (const job of batch) outcomes.push(...(await this.runBatch([job])));
      return outcomes;
    }
  }

  private async applyBatch(tx: Transaction, batch: LedgerJob<unknown>[], resolved: ResolvedOp[]) {
    const charges: (OutflowCharge | undefined)[] = [];
    const checked = [...resolved];
    for (const [i, job] of batch.entries()) {
      try {
        charges[i] = await job.check?.(tx);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const r = checked[i];
        if (r) checked[i] = { ...r, invalid: err };
      }
    }
    const limits = await OutflowLimits.lock(tx, charges);
    const outcomes = await executeOperations(this.ctx, tx, checked, { admit: (i) => limits.admit(i) });
    await limits.record(tx);
    const results: ({ ok: true; applied: Applied; value: unknown } | { ok: false; error: AppError })[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok) {
        results.push(outcome);
        continue;
      }
      const value = await batch[i]?.finish?.(tx, outcome);
      results.push({ ok: true, applied: outcome, value });
    }
    return results;
  }

  /**
   * Creates, outside the batch's transaction, the receiving accounts and limit rows that do not exist yet:
   * creating them inside could make two batches wait on each other's new rows.
   */
  private async ensureRows(resolved: ResolvedOp[], batch: LedgerJob<unknown>[]): Promise<void> {
    const keys = [...new Set(creditKeys(resolved))].filter((k) => !this.knownAccounts.has(k));
    if (keys.length > 0) {
      const existing = await existingAccountKeys(this.ctx.db, keys);
      const missing = keys.filter((k) => !existing.has(k));
      if (missing.length > 0) await this.createEach(missing);
      this.remember(this.knownAccounts, await existingAccountKeys(this.ctx.db, keys));
    }
    const users = [...new Set(batch.flatMap((job) => (job.outflowUserId ? [job.outflowUserId] : [])))];
    const newUsers = users.filter((u) => !this.knownLimitRows.has(u));
    if (newUsers.length > 0) {
      await ensureLimitRows(this.ctx.db, newUsers);
      this.remember(this.knownLimitRows, newUsers);
    }
  }

  /** Creates accounts; when the batch names a user that does not exist, the others are still created. */
  private async createEach(keys: string[]): Promise<void> {
    try {
      await createAccounts(this.ctx.db, keys);
    } catch {
      for (const key of keys) await createAccounts(this.ctx.db, [key]).catch(() => {});
    }
  }

  private remember(set: Set<string>, items: Iterable<string>): void {
    if (set.size > KNOWN_LIMIT) set.clear();
    for (const item of items) set.add(item);
  }
}
