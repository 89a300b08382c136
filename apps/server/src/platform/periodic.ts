import type { AppContext } from "./context.js";
import type { Session } from "./db/index.js";
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

/** A clean-up of shared tables run by `startLockedCleanup`. */
export interface LockedCleanup {
  /** Names it in logs: "<name> failed", "<name>: N rows deleted". */
  name: string;
  /** The deployment-wide lock it runs under, so one node at a time does it. */
  lockKey: string;
  intervalMs: number;
  /** Deletes what is due, on the lock's session; returns how many rows went. */
  run(session: Session, signal: AbortSignal): Promise<number>;
}

/**
 * Runs `cleanup` every `intervalMs` on one node at a time (under its lock), logs how many rows it deleted
 * when any did, and stops on shutdown.
 */
export function startLockedCleanup(
  ctx: Pick<AppContext, "db" | "logger" | "onShutdown">,
  cleanup: LockedCleanup,
): void {
  const periodic = startPeriodic({
    name: cleanup.name,
    intervalMs: cleanup.intervalMs,
    logger: ctx.logger,
    run: async (signal) => {
      const deleted = await ctx.db.withLock(cleanup.lockKey, (session) => cleanup.run(session, signal));
      if (deleted > 0) ctx.logger.info({ deleted }, `${cleanup.name}: ${deleted} rows deleted`);
    },
  });
  ctx.onShutdown(() => periodic.stop());
}
