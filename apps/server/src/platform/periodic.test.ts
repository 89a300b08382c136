import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase, engines, eventually, type TestDatabase } from "../../test/harness.js";
import type { Logger } from "./logger.js";
import { type Periodic, startLockedCleanup, startPeriodic } from "./periodic.js";

/** Every run a test left unfinished is finished after it, so stopping its task never hangs. */
const unfinished = new Set<() => void>();

/** Runs the test finishes by hand, to hold each in flight as long as a scenario needs. */
function controlledRuns() {
  const finishers: Array<(err?: Error) => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const signals: AbortSignal[] = [];
  const run = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      signals.push(signal);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let done = false;
      const finish = (err?: Error) => {
        if (done) return;
        done = true;
        unfinished.delete(finish);
        inFlight--;
        if (err) reject(err);
        else resolve();
      };
      unfinished.add(finish);
      finishers.push(finish);
    });
  return {
    run,
    signals,
    get started() {
      return finishers.length;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    /** Finishes the `index`th run started, with `err` as its failure if given. */
    finish(index: number, err?: Error) {
      finishers[index]?.(err);
    },
  };
}

describe("startPeriodic", () => {
  let periodic: Periodic | undefined;
  const logger = { error: vi.fn() };

  beforeEach(() => {
    vi.useFakeTimers();
    logger.error.mockClear();
  });
  afterEach(async () => {
    const stopping = periodic?.stop();
    for (const finish of unfinished) finish();
    periodic = undefined;
    vi.useRealTimers();
    await stopping;
  });

  it("runs once per interval", async () => {
    const runs = controlledRuns();
    periodic = startPeriodic({ name: "test task", intervalMs: 100, logger, run: runs.run });
    await vi.advanceTimersByTimeAsync(99);
    expect(runs.started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs.started).toBe(1);
    runs.finish(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs.started).toBe(2);
  });

  it("never overlaps runs when a run is slower than the interval, and skips the ticks it outlasts", async () => {
    const runs = controlledRuns();
    periodic = startPeriodic({ name: "test task", intervalMs: 100, logger, run: runs.run });
    await vi.advanceTimersByTimeAsync(100);
    expect(runs.started).toBe(1);
    await vi.advanceTimersByTimeAsync(550);
    expect(runs.started).toBe(1);
    runs.finish(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.started).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(runs.started).toBe(2);
    expect(runs.maxInFlight).toBe(1);
  });

  it("stop waits for the run in flight, signals it to end, and starts no more", async () => {
    const runs = controlledRuns();
    periodic = startPeriodic({ name: "test task", intervalMs: 100, logger, run: runs.run });
    await vi.advanceTimersByTimeAsync(100);
    expect(runs.started).toBe(1);

    let stopped = false;
    const stopping = periodic.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(300);
    expect(stopped).toBe(false);
    expect(runs.signals[0]?.aborted).toBe(true);

    runs.finish(0);
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    periodic.kick();
    expect(runs.started).toBe(1);
  });

  it("logs a failed run under the task's name and keeps running", async () => {
    const runs = controlledRuns();
    periodic = startPeriodic({ name: "test task", intervalMs: 100, logger, run: runs.run });
    await vi.advanceTimersByTimeAsync(100);
    const failure = new Error("database unreachable");
    runs.finish(0, failure);
    await vi.advanceTimersByTimeAsync(0);
    expect(logger.error).toHaveBeenCalledWith({ err: failure }, "test task failed");

    await vi.advanceTimersByTimeAsync(100);
    expect(runs.started).toBe(2);
  });

  it("logs a run that throws before returning a promise, and keeps running", async () => {
    const run = vi.fn((): Promise<void> => {
      throw new Error("bad state");
    });
    periodic = startPeriodic({ name: "test task", intervalMs: 100, logger, run });
    await vi.advanceTimersByTimeAsync(200);
    expect(run).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it("kick runs now, or once more right after the run in flight however often it is kicked", async () => {
    const runs = controlledRuns();
    periodic = startPeriodic({ name: "test task", intervalMs: 10_000, logger, run: runs.run });
    periodic.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.started).toBe(1);

    periodic.kick();
    periodic.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.started).toBe(1);
    runs.finish(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.started).toBe(2);
    runs.finish(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.started).toBe(2);
    expect(runs.maxInFlight).toBe(1);
  });
});

describe.each(engines)("startLockedCleanup on %s", (engine) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
  });

  it("deletes under its lock on every tick, logs what went, and stops on shutdown", async () => {
    t = await createTestDatabase(engine);
    const db = t.db;
    await db.query("CREATE TABLE junk (id INT PRIMARY KEY)");
    await db.query("INSERT INTO junk SELECT generate_series(1, 3)");
    const shutdown: Array<() => Promise<void> | void> = [];
    const info = vi.fn();
    let runs = 0;
    startLockedCleanup(
      {
        db,
        logger: { info, error: vi.fn() } as unknown as Logger,
        onShutdown: (fn) => shutdown.push(fn),
      },
      {
        name: "junk cleanup",
        lockKey: "test:junk-cleanup",
        intervalMs: 20,
        run: async (session) => {
          runs++;
          return (await session.query("DELETE FROM junk")).rowCount;
        },
      },
    );
    await eventually(() => expect(runs).toBeGreaterThanOrEqual(2));
    expect((await db.query("SELECT id FROM junk")).rows).toEqual([]);
    // Only the run that deleted something is logged.
    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith({ deleted: 3 }, "junk cleanup: 3 rows deleted");
    for (const stop of shutdown) await stop();
    await db.query("INSERT INTO junk VALUES (4)");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await db.query("SELECT id FROM junk")).rows).toEqual([{ id: 4 }]);
  });
});
