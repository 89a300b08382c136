import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type Engine, engines, eventually, testConfig } from "../../../test/harness.js";
import { createPlatform } from "../bootstrap.js";
import type { Database } from "../db/index.js";
import { openPglite } from "../db/pglite.js";
import { openPostgres } from "../db/postgres.js";
import { Outbox, type OutboxEvent, type OutboxOptions } from "./outbox.js";
import { pruneDeliveredEvents } from "./prune.js";

const silent = pino({ level: "silent" });

/**
 * A database that outlives the handles opened on it, so a "process" can close its handle and a later one
 * find the same rows: a PGlite data directory on disk, or a PostgreSQL schema of its own.
 */
interface DurableDatabase {
  open(): Promise<Database>;
  destroy(): Promise<void>;
}

async function durableDatabase(engine: Engine): Promise<DurableDatabase> {
  if (engine === "pglite") {
    const root = mkdtempSync(join(tmpdir(), "softchat-outbox-"));
    const dir = join(root, "pglite");
    const first = await openPglite(dir, new Blob([readFileSync(inject("pgliteTemplate"))]));
    await first.close();
    return {
      open: () => openPglite(dir),
      destroy: async () => rmSync(root, { recursive: true, force: true }),
    };
  }
  const testDb = await createTestDatabase(engine);
  const { rows } = await testDb.db.query<{ schema: string }>("SELECT current_schema() AS schema");
  const url = process.env.TEST_DATABASE_URL ?? "";
  return {
    open: () => openPostgres({ url, poolSize: 4, schema: rows[0]?.schema }),
    destroy: () => testDb.cleanup(),
  };
}

/** Waits until every event in the table is marked delivered: from then on none can be delivered again. */
async function allDelivered(db: Database): Promise<void> {
  await eventually(async () => {
    const { rows } = await db.query<{ n: string }>(
      "SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL",
    );
    expect(rows[0]?.n).toBe("0");
  });
}

/** Publishes one event per payload, each in a committed transaction of its own. */
async function publishCommitted(
  db: Database,
  outbox: Outbox,
  topic: string,
  payloads: unknown[],
): Promise<void> {
  for (const payload of payloads) await db.transaction((tx) => outbox.publish(tx, topic, payload));
}

describe.each(engines)("outbox (%s)", (engine) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function freshDatabase(): Promise<Database> {
    const testDb = await createTestDatabase(engine);
    cleanups.push(() => testDb.cleanup());
    return testDb.db;
  }

  function dispatcher(db: Database, options: OutboxOptions = {}): Outbox {
    const outbox = new Outbox(db, silent, { pollIntervalMs: 20, ...options });
    cleanups.push(() => outbox.stop());
    return outbox;
  }

  it("an event published in a rolled-back transaction is never delivered", async () => {
    const db = await freshDatabase();
    const outbox = dispatcher(db);
    const seen: unknown[] = [];
    outbox.on("thing.happened", (e) => {
      seen.push(e.payload);
    });
    outbox.start();
    await expect(
      db.transaction(async (tx) => {
        await outbox.publish(tx, "thing.happened", { n: "rolled back" });
        throw new Error("business rule failed");
      }),
    ).rejects.toThrow("business rule failed");
    // A later committed event is the fence: once it is out, the poller has had its chance at the first.
    await publishCommitted(db, outbox, "thing.happened", [{ n: "committed" }]);
    await eventually(() => expect(seen).toContainEqual({ n: "committed" }));
    await outbox.dispatchPending();
    expect(seen).toEqual([{ n: "committed" }]);
  });

  it("an event published in a committed transaction is delivered exactly once, to every handler", async () => {
    const db = await freshDatabase();
    const outbox = dispatcher(db);
    const first: string[] = [];
    const second: string[] = [];
    outbox.on("order.filled", (e) => {
      first.push(e.id);
    });
    outbox.on("order.filled", (e) => {
      second.push(e.id);
    });
    outbox.start();
    await publishCommitted(
      db,
      outbox,
      "order.filled",
      Array.from({ length: 15 }, (_, i) => ({ i })),
    );
    await db.transaction(async (tx) => {
      for (let i = 15; i < 25; i++) await outbox.publish(tx, "order.filled", { i });
    });
    await eventually(() => expect(first).toHaveLength(25));
    await allDelivered(db);
    expect(await outbox.dispatchPending()).toBe(0);
    expect(new Set(first).size).toBe(25);
    expect(first).toHaveLength(25);
    expect([...second].sort()).toEqual([...first].sort());
  });

  it("an event delivered in place goes out once, in commit order, on the turn after its commit, and never if rolled back", async () => {
    const db = await freshDatabase();
    const outbox = dispatcher(db, { pollIntervalMs: 5 });
    const seen: unknown[] = [];
    outbox.on("chat.fanout", (e) => {
      seen.push(e.payload);
    });
    outbox.start();
    await expect(
      db.transaction(async (tx) => {
        await outbox.publish(tx, "chat.fanout", { n: "rolled back" }, { deliverHere: true });
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    for (let n = 0; n < 5; n++) {
      await db.transaction((tx) => outbox.publish(tx, "chat.fanout", { n }, { deliverHere: true }));
      // The committer is answered first (a sender gets its ack before the fan-out to a big room), and the
      // event goes out on the very next turn of the event loop: no poll, no claim in between.
      expect(seen).toHaveLength(n);
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen.at(-1)).toEqual({ n });
    }
    await allDelivered(db);
    expect(await outbox.dispatchPending()).toBe(0);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
  });

  it("the events of one transaction keep the order they were published in, whichever way they go out", async () => {
    const db = await freshDatabase();
    const outbox = dispatcher(db);
    const here: number[] = [];
    const claimed: number[] = [];
    outbox.on("here", (e) => {
      here.push((e.payload as { n: number }).n);
    });
    outbox.on("claimed", (e) => {
      claimed.push((e.payload as { n: number }).n);
    });
    outbox.start();
    await db.transaction(async (tx) => {
      for (let n = 0; n < 20; n++) {
        if (n % 2 === 0) await outbox.publish(tx, "here", { n }, { deliverHere: true });
        else await outbox.publish(tx, "claimed", { n });
      }
    });
    await eventually(() => expect([...here, ...claimed]).toHaveLength(20));
    expect(here).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(claimed).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    // A poller (another node, after a crash) reads them back in id order: the order published.
    const { rows } = await db.query<{ payload: { n: number } }>("SELECT payload FROM outbox ORDER BY id");
    expect(rows.map((r) => r.payload.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    await allDelivered(db);
  });

  it("an event claimed for in-place delivery by a node that died is delivered by another once its lease ends", async () => {
    const db = await freshDatabase();
    const dead = new Outbox(db, silent, { pollIntervalMs: 60_000, leaseMs: 300 });
    dead.start();
    // The node commits, then freezes for good inside its delivery: it neither delivers nor says it failed.
    dead.on("chat.fanout", () => new Promise<void>(() => {}));
    await db.transaction((tx) => dead.publish(tx, "chat.fanout", { n: 1 }, { deliverHere: true }));
    const survivor = dispatcher(db, { pollIntervalMs: 20 });
    const seen: unknown[] = [];
    survivor.on("chat.fanout", (e) => {
      seen.push(e.payload);
    });
    survivor.start();
    await eventually(() => expect(seen).toEqual([{ n: 1 }]), 5000);
    await allDelivered(db);
    expect(seen).toEqual([{ n: 1 }]);
  });

  it("an event committed while no dispatcher ran is delivered once by the next process", async () => {
    const store = await durableDatabase(engine);
    cleanups.push(() => store.destroy());
    const config = testConfig(engine);
    cleanups.push(async () => rmSync(config.DATA_DIR, { recursive: true, force: true }));

    // The first process commits and "dies" before dispatching anything: its outbox was never started.
    const before = await createPlatform(config, { db: await store.open(), logger: silent });
    await before.db.transaction((tx) =>
      before.outbox.publish(tx, "payment.settled", { paymentId: "p-1", amount: "12.50" }),
    );
    await before.shutdown();

    const after = await createPlatform(config, { db: await store.open(), logger: silent });
    cleanups.push(() => after.shutdown());
    const seen: OutboxEvent[] = [];
    after.outbox.on("payment.settled", (e) => {
      seen.push(e);
    });
    after.outbox.start();
    await eventually(() => expect(seen).toHaveLength(1));
    expect(seen[0]?.payload).toEqual({ paymentId: "p-1", amount: "12.50" });
    expect(await after.outbox.dispatchPending()).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it("a failing handler is retried with growing delays until it succeeds", async () => {
    const db = await freshDatabase();
    const outbox = dispatcher(db, { retryBaseMs: 60 });
    const calls: number[] = [];
    outbox.on("email.send", () => {
      calls.push(Date.now());
      if (calls.length < 3) throw new Error(`mail server down (try ${calls.length})`);
    });
    outbox.start();
    await publishCommitted(db, outbox, "email.send", [{ to: "alice" }]);
    await eventually(() => expect(calls).toHaveLength(3));
    const [t1 = 0, t2 = 0, t3 = 0] = calls;
    // First retry after at least the base delay, the second after at least twice that (ms clock rounding aside).
    expect(t2 - t1).toBeGreaterThanOrEqual(55);
    expect(t3 - t2).toBeGreaterThanOrEqual(115);
    await allDelivered(db);
    expect(await outbox.dispatchPending()).toBe(0);
    expect(calls).toHaveLength(3);
  });

  it("an event whose handler keeps failing is given up after maxAttempts, with its last error kept", async () => {
    const db = await freshDatabase();
    const outbox = dispatcher(db, { retryBaseMs: 10, maxAttempts: 3 });
    let calls = 0;
    outbox.on("webhook.call", () => {
      calls++;
      throw new Error(`endpoint answered 500 (call ${calls})`);
    });
    outbox.start();
    await publishCommitted(db, outbox, "webhook.call", [{ url: "https://example.test/hook" }]);
    const row = await eventually(async () => {
      const { rows } = await db.query<{ attempts: number; last_error: string; delivered_at: Date | null }>(
        "SELECT attempts, last_error, delivered_at FROM outbox WHERE topic = 'webhook.call'",
      );
      expect(rows[0]?.delivered_at).not.toBeNull();
      return rows[0];
    });
    expect(row?.attempts).toBe(3);
    expect(row?.last_error).toBe("endpoint answered 500 (call 3)");
    expect(await outbox.dispatchPending()).toBe(0);
    expect(calls).toBe(3);
  });

  it("two nodes dispatching from one database deliver each event once between them", async () => {
    const store = await durableDatabase(engine);
    cleanups.push(() => store.destroy());
    // PGlite is one process's database: both "nodes" share its handle. PostgreSQL gets two pools.
    const dbA = await store.open();
    const dbB = engine === "pglite" ? dbA : await store.open();
    cleanups.push(async () => {
      await dbA.close();
      if (dbB !== dbA) await dbB.close();
    });
    const nodeA = dispatcher(dbA, { pollIntervalMs: 5 });
    const nodeB = dispatcher(dbB, { pollIntervalMs: 5 });
    const deliveries: string[] = [];
    for (const node of [nodeA, nodeB]) {
      node.on("chat.message", (e) => {
        deliveries.push(e.id);
      });
      node.start();
    }
    await Promise.all([
      publishCommitted(
        dbA,
        nodeA,
        "chat.message",
        Array.from({ length: 20 }, (_, i) => ({ i })),
      ),
      publishCommitted(
        dbB,
        nodeB,
        "chat.message",
        Array.from({ length: 20 }, (_, i) => ({ i })),
      ),
    ]);
    await eventually(() => expect(deliveries.length).toBeGreaterThanOrEqual(40));
    await allDelivered(dbA);
    expect(deliveries).toHaveLength(40);
    expect(new Set(deliveries).size).toBe(40);
  });
  it("prunes events delivered before the retention window, oldest first in batches, and keeps undelivered ones", async () => {
    const db = await freshDatabase();
    const insert = (deliveredHoursAgo: number | null, createdHoursAgo: number) =>
      db.query(
        `INSERT INTO outbox (topic, payload, created_at, delivered_at)
         VALUES ('thing.happened', '{}', now() - ($1::int * interval '1 hour'),
                 CASE WHEN $2::int IS NULL THEN NULL ELSE now() - ($2::int * interval '1 hour') END)`,
        [createdHoursAgo, deliveredHoursAgo],
      );
    for (let i = 0; i < 7; i++) await insert(100, 101);
    await insert(null, 200); // never delivered: kept, however old
    await insert(10, 11); // delivered inside the window
    expect(await pruneDeliveredEvents(db, 72, 3)).toBe(7);
    const { rows } = await db.query<{ delivered: boolean }>(
      "SELECT delivered_at IS NOT NULL AS delivered FROM outbox ORDER BY id",
    );
    expect(rows).toEqual([{ delivered: false }, { delivered: true }]);
    expect(await pruneDeliveredEvents(db, 72, 3)).toBe(0);
  });
});
