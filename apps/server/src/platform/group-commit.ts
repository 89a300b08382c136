import { AsyncResource } from "node:async_hooks";
import { AppError } from "./http/errors.js";

/** What one job of a batch came to: its value, or the error its submitter gets. */
export type JobOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /** How long the first job of a batch waits for company (ms); 0: only jobs of the same tick join it. */
  windowMs: number;
  maxBatch: number;
  /** Most jobs waiting; past it `submit` refuses with 503 `unavailable` rather than queue without bound. */
  maxQueued: number;
  /** Batches in flight at once. */
  lanes: number;
  /** Said to a submitter refused because the queue is full or closed. */
  busyMessage: string;
  /** Told about every batch written: its size and how long `run` took (ms). */
  observe?: (batch: { size: number; durationMs: number }) => void;
}

interface Pending<J, R> {
  job: J;
  resolve(value: R): void;
  reject(err: unknown): void;
}

/**
 * Group commit: jobs submitted while batches are being written wait for the next one, and `run` writes each
 * batch (one transaction, a handful of statements whatever its size), answering every job. A batch whose
 * `run` throws rejects all of its jobs with that error, so `run` decides how a failed batch is retried.
 */
export class GroupCommit<J, R> {
  private readonly queue: Pending<J, R>[] = [];
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  // Batches run in the context the queue was made in, never in a submitter's transaction scope.
  private readonly scope = new AsyncResource("GroupCommit");

  constructor(
    private readonly run: (jobs: J[]) => Promise<JobOutcome<R>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Queues a job; settles once its batch has been written. */
  submit(job: J): Promise<R> {
    if (this.closed || this.queue.length >= this.options.maxQueued) {
      return Promise.reject(new AppError("unavailable", this.options.busyMessage));
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.schedule();
    });
  }

  /** Stops taking jobs, writes those queued, waits for the batches in flight. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    while (this.queue.length > 0 || this.running.size > 0) {
      this.scope.runInAsyncScope(() => this.drain());
      await Promise.allSettled([...this.running]);
    }
  }

  private schedule(): void {
    if (this.timer || this.immediate || this.running.size >= this.options.lanes) return;
    const fire = () =>
      this.scope.runInAsyncScope(() => {
        this.timer = undefined;
        this.immediate = undefined;
        this.drain();
      });
    if (this.options.windowMs === 0) this.immediate = setImmediate(fire);
    else this.timer = setTimeout(fire, this.options.windowMs);
  }

  private drain(): void {
    while (this.running.size < this.options.lanes && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      const run: Promise<void> = this.runBatch(batch).finally(() => {
        this.running.delete(run);
        if (this.queue.length > 0) this.schedule();
      });
      this.running.add(run);
    }
  }

  private async runBatch(batch: Pending<J, R>[]): Promise<void> {
    let outcomes: JobOutcome<R>[];
    try {
      const started = performance.now();
      outcomes = await this.run(batch.map((p) => p.job));
      this.options.observe?.({ size: batch.length, durationMs: performance.now() - started });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (!outcome) p.reject(new Error("the batch gave this job no answer"));
      else if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    });
  }
}
