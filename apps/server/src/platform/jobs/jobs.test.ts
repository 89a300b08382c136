import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { dropRedisKeys, eventually } from "../../../test/harness.js";
import { BullJobQueue } from "./bull-queue.js";
import { MemoryJobQueue } from "./memory-queue.js";
import type { JobQueue } from "./types.js";

const silent = pino({ level: "silent" });
const redisUrl = process.env.TEST_REDIS_URL;

type Kind = "memory" | "bullmq";
/** The in-process queue always; BullMQ too when CI provides a Redis. */
const kinds: Kind[] = redisUrl ? ["memory", "bullmq"] : ["memory"];

describe.each(kinds)("background jobs (%s)", (kind) => {
  const prefix = `test:${randomUUID()}:`;
  const opened: JobQueue[] = [];

  /** A queue as one node sees it; BullMQ ones share this test file's Redis prefix, as nodes of one deployment do. */
  function node(): JobQueue {
    const queue =
      kind === "bullmq" && redisUrl
        ? new BullJobQueue({ redisUrl, prefix, concurrency: 4 }, silent)
        : new MemoryJobQueue(silent);
    opened.push(queue);
    return queue;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((q) => q.stop()));
    if (kind === "bullmq" && redisUrl) {
      const redis = new Redis(redisUrl);
      await dropRedisKeys(redis, prefix);
      redis.disconnect();
    }
  });

  it("a failing job is retried with backoff and succeeds on a later attempt", async () => {
    const jobs = node();
    const attempts: Array<{ attempt: number; at: number }> = [];
    jobs.register<{ to: string }>("email", async (data, meta) => {
      attempts.push({ attempt: meta.attempt, at: Date.now() });
      if (meta.attempt < 3) throw new Error(`smtp down (${data.to})`);
    });
    await jobs.start();
    await jobs.enqueue("email", { to: "alice" }, { attempts: 5, backoffMs: 40 });
    await eventually(() => expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]));
    const [a1, a2, a3] = attempts.map((a) => a.at);
    expect((a2 ?? 0) - (a1 ?? 0)).toBeGreaterThanOrEqual(35);
    expect((a3 ?? 0) - (a2 ?? 0)).toBeGreaterThanOrEqual(75);
    expect(await jobs.deadLetters("email")).toEqual([]);
  });

  it("a job that fails every attempt is dead-lettered with its data and last error", async () => {
    const jobs = node();
    let calls = 0;
    jobs.register("webhook", async () => {
      calls++;
      throw new Error(`endpoint answered 500 (try ${calls})`);
    });
    await jobs.start();
    await jobs.enqueue(
      "webhook",
      { url: "https://example.test/hook" },
      { attempts: 3, backoffMs: 10, jobId: "hook:42" },
    );
    const dead = await eventually(async () => {
      const letters = await jobs.deadLetters();
      expect(letters).toHaveLength(1);
      return letters;
    });
    expect(dead[0]).toEqual(
      expect.objectContaining({
        queue: "webhook",
        jobId: "hook:42",
        data: { url: "https://example.test/hook" },
        error: "endpoint answered 500 (try 3)",
        attempts: 3,
      }),
    );
    expect(Date.parse(dead[0]?.failedAt ?? "")).not.toBeNaN();
    expect(calls).toBe(3);
    expect(await jobs.deadLetters("email")).toEqual([]);
  });

  it("a delayed job runs no earlier than its delay", async () => {
    const jobs = node();
    const ran: number[] = [];
    jobs.register("reminder", async () => {
      ran.push(Date.now());
    });
    await jobs.start();
    const enqueuedAt = Date.now();
    await jobs.enqueue("reminder", {}, { delayMs: 400 });
    await eventually(() => expect(ran).toHaveLength(1));
    expect((ran[0] ?? 0) - enqueuedAt).toBeGreaterThanOrEqual(395);
  });

  it("a second enqueue with the same jobId while the first is pending runs once; after it ran, the id is free", async () => {
    const jobs = node();
    const seen: string[] = [];
    jobs.register<{ n: string }>("payout", async (data, meta) => {
      seen.push(`${meta.jobId}/${data.n}`);
    });
    await jobs.enqueue("payout", { n: "first" }, { jobId: "payout:7" });
    await jobs.enqueue("payout", { n: "second" }, { jobId: "payout:7" });
    await jobs.enqueue("payout", { n: "other" }, { jobId: "payout:8" });
    await jobs.start();
    await eventually(() => expect([...seen].sort()).toEqual(["payout:7/first", "payout:8/other"]));
    await jobs.enqueue("payout", { n: "again" }, { jobId: "payout:7" });
    await eventually(() => expect(seen).toContain("payout:7/again"));
    expect(seen).toHaveLength(3);
  });

  it("job data travels as JSON, so a bigint is refused when enqueued, not lost later", async () => {
    const jobs = node();
    await expect(jobs.enqueue("ledger", { amount: 1250n })).rejects.toThrow(/BigInt/);
    const seen: unknown[] = [];
    jobs.register("ledger", async (data) => {
      seen.push(data);
    });
    await jobs.start();
    await jobs.enqueue("ledger", { amount: "12.50", at: new Date("2024-05-01T00:00:00Z") });
    await eventually(() => expect(seen).toEqual([{ amount: "12.50", at: "2024-05-01T00:00:00.000Z" }]));
  });

  if (kind === "bullmq")
    it("a job enqueued on a node that stopped runs on the next node", async () => {
      const before = node();
      await before.enqueue("report", { month: "2024-05" }, { jobId: "report:2024-05" });
      await before.stop();
      const after = node();
      const ran: unknown[] = [];
      after.register("report", async (data) => {
        ran.push(data);
      });
      await after.start();
      await eventually(() => expect(ran).toEqual([{ month: "2024-05" }]));
    });
});
