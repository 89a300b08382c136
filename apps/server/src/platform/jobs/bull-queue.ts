import { type Job, Queue, Worker } from "bullmq";
import type { Logger } from "pino";
import type { DeadJob, JobOptions, JobProcessor, JobQueue } from "./types.js";

export interface BullJobQueueOptions {
  redisUrl: string;
  /** REDIS_PREFIX: every key of every queue lives under it. */
  prefix: string;
  /** Jobs one node runs at once, per queue. */
  concurrency: number;
  /** Failed jobs kept per queue for `deadLetters` (the oldest go first). */
  keepFailed?: number;
}

// BullMQ refuses ':' in queue names and job ids (its key separator) and purely numeric job ids (its own).
const encodePart = (s: string) => s.replaceAll("%", "%25").replaceAll(":", "%3A");
const decodePart = (s: string) => s.replaceAll("%3A", ":").replaceAll("%25", "%");
const JOB_ID_MARK = "j_";
const encodeJobId = (id: string) => JOB_ID_MARK + encodePart(id);
const decodeJobId = (id: string | undefined) =>
  id?.startsWith(JOB_ID_MARK) ? decodePart(id.slice(JOB_ID_MARK.length)) : (id ?? "");

/**
 * The scaled JobQueue: BullMQ on Redis, so jobs survive a restart and any node may run them. Same contract
 * as the in-process queue: retries with exponential backoff, dead letters after the last attempt, delays,
 * and a jobId that deduplicates while the job is known (waiting, delayed, running or dead).
 */
export class BullJobQueue implements JobQueue {
  private readonly processors = new Map<string, JobProcessor<unknown>>();
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  /** Jobs this node is running now, so `stop` can wait for them itself. */
  private readonly running = new Set<Promise<void>>();
  private readonly connection: { url: string; maxRetriesPerRequest: null };
  private readonly prefix: string;

  constructor(
    private readonly options: BullJobQueueOptions,
    private readonly logger: Logger,
  ) {
    // BullMQ's own connections must retry forever: a blocked worker must not give up during a Redis blip.
    this.connection = { url: options.redisUrl, maxRetriesPerRequest: null };
    // BullMQ puts ':' between its prefix and the queue name itself.
    this.prefix = options.prefix.replace(/:+$/, "") || "softchat";
  }

  register<D>(queue: string, processor: JobProcessor<D>): void {
    this.processors.set(queue, processor as JobProcessor<unknown>);
  }

  async enqueue<D>(queue: string, data: D, options: JobOptions = {}): Promise<void> {
    await this.queue(queue).add(queue, data, {
      jobId: options.jobId === undefined ? undefined : encodeJobId(options.jobId),
      delay: options.delayMs,
      attempts: options.attempts ?? 5,
      backoff: { type: "exponential", delay: options.backoffMs ?? 500 },
      // Done jobs go, so their id may be used again; failed ones stay (bounded) as dead letters.
      removeOnComplete: true,
      removeOnFail: { count: this.options.keepFailed ?? 1000 },
    });
  }

  async deadLetters(queue?: string): Promise<DeadJob[]> {
    const names =
      queue === undefined ? [...new Set([...this.queues.keys(), ...this.processors.keys()])] : [queue];
    const dead: DeadJob[] = [];
    for (const name of names) {
      for (const job of await this.queue(name).getFailed()) {
        dead.push({
          queue: name,
          jobId: decodeJobId(job.id),
          data: job.data,
          error: job.failedReason,
          failedAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
          attempts: job.attemptsMade,
        });
      }
    }
    return dead;
  }

  async start(): Promise<void> {
    for (const [name, processor] of this.processors) {
      const worker = new Worker(encodePart(name), (job: Job) => this.run(processor, job), {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: this.options.concurrency,
        autorun: true,
      });
      worker.on("error", (err) => this.logger.error({ err, queue: name }, "job worker error"));
      worker.on("failed", (job, err) => {
        if (!job) return;
        const dead = job.attemptsMade >= (job.opts.attempts ?? 1);
        const fields = { err, queue: name, jobId: decodeJobId(job.id), attempt: job.attemptsMade };
        if (dead) this.logger.error(fields, "job dead-lettered");
        else this.logger.warn(fields, "job failed, retrying");
      });
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  async stop(): Promise<void> {
    // Workers first: take no new job, let the running ones finish, then close. BullMQ's own graceful close
    // waits on its blocking connection, which can hang for good after a Redis blip (bullmq issue #4656);
    // once no job runs, a forced close has nothing left to wait for.
    const workers = this.workers.splice(0);
    await Promise.allSettled(workers.map((w) => w.pause(true)));
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await Promise.allSettled(workers.map((w) => w.close(true)));
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(queues.map((q) => q.close()));
  }

  private async run(processor: JobProcessor<unknown>, job: Job): Promise<void> {
    const running = processor(job.data, { attempt: job.attemptsMade + 1, jobId: decodeJobId(job.id) });
    this.running.add(running);
    try {
      await running;
    } finally {
      this.running.delete(running);
    }
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(encodePart(name), { connection: this.connection, prefix: this.prefix });
      queue.on("error", (err) => this.logger.error({ err, queue: name }, "job queue error"));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
