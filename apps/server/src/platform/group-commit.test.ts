import { describe, expect, it } from "vitest";
import { GroupCommit, type JobOutcome } from "./group-commit.js";

const options = { windowMs: 5, maxBatch: 3, maxQueued: 5, lanes: 1, busyMessage: "busy" };

describe("GroupCommit", () => {
  it("writes jobs submitted together as batches of at most maxBatch, answering each job alone", async () => {
    const batches: number[][] = [];
    const queue = new GroupCommit<number, number>(async (jobs) => {
      batches.push(jobs);
      return jobs.map(
        (n): JobOutcome<number> => (n % 2 ? { ok: true, value: n * 10 } : { ok: false, error: n }),
      );
    }, options);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => queue.submit(n)));
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(results).toEqual([
      { status: "fulfilled", value: 10 },
      { status: "rejected", reason: 2 },
      { status: "fulfilled", value: 30 },
      { status: "rejected", reason: 4 },
      { status: "fulfilled", value: 50 },
    ]);
  });

  it("a batch whose run throws fails its jobs only; past maxQueued or after stop, jobs are refused as unavailable", async () => {
    let calls = 0;
    const queue = new GroupCommit<number, number>(async (jobs) => {
      calls++;
      if (calls === 1) throw new Error("database down");
      return jobs.map((n) => ({ ok: true, value: n }));
    }, options);
    const first = Promise.allSettled([1, 2, 3, 4, 5].map((n) => queue.submit(n)));
    await expect(queue.submit(6)).rejects.toMatchObject({ code: "unavailable" });
    expect((await first).map((r) => r.status)).toEqual([
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);

    const late = queue.submit(7);
    await queue.stop();
    await expect(late).resolves.toBe(7);
    await expect(queue.submit(8)).rejects.toMatchObject({ code: "unavailable" });
  });
});
