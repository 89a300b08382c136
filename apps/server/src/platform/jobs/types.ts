export interface JobOptions {
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /** Deduplicates: a second enqueue with the same id while the first is known is ignored. */
  jobId?: string;
  /** Total tries before the job is dead-lettered (default 5). */
  attempts?: number;
  /** Base of the exponential backoff between tries, in ms (default 500). */
  backoffMs?: number;
}

export type JobProcessor<D> = (data: D, meta: { attempt: number; jobId: string }) => Promise<void>;

/** A failed job kept for admins to see, with its last error. */
export interface DeadJob {
  queue: string;
  jobId: string;
  data: unknown;
  error: string;
  failedAt: string;
  attempts: number;
}

/**
 * Background jobs: in-process in embedded mode, BullMQ on Redis when scaled. The same processors run in
 * both. Register processors before `start`.
 */
export interface JobQueue {
  register<D>(queue: string, processor: JobProcessor<D>): void;
  enqueue<D>(queue: string, data: D, options?: JobOptions): Promise<void>;
  deadLetters(queue?: string): Promise<DeadJob[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
