import type { Logger } from "./logger.js";

/** A background task started by `startPeriodic`. */
export interface Periodic {
  /** Aborted once `stop()` is called; a long run checks it between steps to end early. */
  readonly signal: AbortSignal;
  /** Runs now, or once more right after the run in flight; does nothing once stopped. */
  kick(): void;
  /** Stops the timer and resolves once the run in flight (if any) has finished. Never rejects. */
  stop(): Promise<void>;
}

/** What `startPeriodic` runs, how often, and where its failures go. */
export interface PeriodicTask {
  /** Names the task in its error log: "<name> failed". */
  name: string;
  /** Milliseconds between the starts of two timer ticks. */
  intervalMs: number;
  logger: Pick<Logger, "error">;
  /** One pass of the work; its result is ignored and an error is logged, never thrown. */
  run(signal: AbortSignal): Promise<unknown>;
}

/**
 * Runs `task.run` every `intervalMs` in this process, one run at a time: a tick that finds a run in flight
 * is skipped rather than queued, so a slow run never overlaps the next one. A failed run is logged and the
 * loop goes on. The timer is unref'd, so it never keeps the process alive; call `stop()` on shutdown.
 */
export function startPeriodic(task: PeriodicTask): Periodic {
  const stopping = new AbortController();
  let active: Promise<void> | undefined;
  let again = false;

  const launch = () => {
    active = Promise.resolve()
      .then(() => task.run(stopping.signal))
      .then(
        () => undefined,
        (err: unknown) => task.logger.error({ err }, `${task.name} failed`),
      )
      .finally(() => {
        active = undefined;
        if (again && !stopping.signal.aborted) {
          again = false;
          launch();
        }
      });
  };

  const timer = setInterval(() => {
    if (!active && !stopping.signal.aborted) launch();
  }, task.intervalMs);
  timer.unref();

  return {
    signal: stopping.signal,
    kick() {
      if (stopping.signal.aborted) return;
      if (active) again = true;
      else launch();
    },
    async stop() {
      stopping.abort();
      clearInterval(timer);
      // Once aborted, the run in flight starts no follow-up, so it is the last one.
      await active;
    },
  };
}
