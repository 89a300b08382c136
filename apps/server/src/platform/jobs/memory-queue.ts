import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { DeadJob, JobOptions, JobProcessor, JobQueue } from "./types.js";

interface Pending {
  queue: string;
  jobId: string;
  data: unknown;
  attempt: number;
  options: JobOptions;
}

/**
 * In-process queue with retries and exponential backoff; the embedded-mode JobQueue. Job data goes through
 * JSON as it does on Redis, so a job that would not survive BullMQ (a bigint, a Date) fails here too.
 */
export class MemoryJobQueue implements JobQueue {
  private readonly processors = new Map<string, JobProcessor<unknown>>();
  private readonly known = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly dead: DeadJob[] = [];
  private started = false;
  private readonly backlog: Pending[] = [];

  constructor(private readonly logger: Logger) {}

  register<D>(queue: string, processor: JobProcessor<D>): void {
    this.processors.set(queue, processor as JobProcessor<unknown>);
  }

  async enqueue<D>(queue: string, data: D, options: JobOptions = {}): Promise<void> {
    const payload = asJson(data);
    const jobId = options.jobId ?? randomUUID();
    const key = `${queue}:${jobId}`;
    if (this.known.has(key)) return;
    this.known.add(key);
    const job: Pending = { queue, jobId, data: payload, attempt: 1, options };
    if (!this.started) this.backlog.push(job);
    else this.schedule(job, options.delayMs ?? 0);
  }

  async deadLetters(queue?: string): Promise<DeadJob[]> {
    return this.dead.filter((d) => !queue || d.queue === queue);
  }

  async start(): Promise<void> {
    this.started = true;
    for (const job of this.backlog.splice(0)) this.schedule(job, job.options.delayMs ?? 0);
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private schedule(job: Pending, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.run(job);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, delayMs);
    this.timers.add(timer);
  }

  private async run(job: Pending): Promise<void> {
    const processor = this.processors.get(job.queue);
    const maxAttempts = job.options.attempts ?? 5;
    try {
      if (!processor) throw new Error(`no processor registered for queue ${job.queue}`);
      await processor(job.data, { attempt: job.attempt, jobId: job.jobId });
      this.known.delete(`${job.queue}:${job.jobId}`);
    } catch (err) {
      const message = (err as Error).message;
      if (job.attempt >= maxAttempts || !this.started) {
        this.logger.error({ err, queue: job.queue, jobId: job.jobId }, "job dead-lettered");
        this.dead.push({
          queue: job.queue,
          jobId: job.jobId,
          data: job.data,
          error: message,
          failedAt: new Date().toISOString(),
          attempts: job.attempt,
        });
        return;
      }
      const backoff = (job.options.backoffMs ?? 500) * 2 ** (job.attempt - 1);
      this.logger.warn(
        { err, queue: job.queue, jobId: job.jobId, attempt: job.attempt },
        "job failed, retrying",
      );
      this.schedule({ ...job, attempt: job.attempt + 1 }, backoff);
    }
  }
}

/** A copy of `data` as Redis would hand it back: JSON in, JSON out. */
function asJson(data: unknown): unknown {
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError("job data must be JSON");
  return JSON.parse(json);
}
