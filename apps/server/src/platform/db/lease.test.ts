import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../../../test/harness.js";
import { createLogger } from "../logger.js";
import { createLeaseManager, type LeaseManager } from "./lease.js";
import { openPostgres } from "./postgres.js";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const logger = createLogger({ LOG_LEVEL: "silent" });

describe("leases on PGlite", () => {
  it("the one embedded process holds every lease", async () => {
    const leases = createLeaseManager({ engine: "pglite", namespace: "t", logger });
    expect(await leases.tryAcquire("pair")).toBe(true);
    expect(leases.isHeld("pair")).toBe(true);
    await leases.close();
  });
});

describe.skipIf(!DATABASE_URL)("leases on PostgreSQL", () => {
  const opened: LeaseManager[] = [];
  afterEach(async () => {
    for (const l of opened.splice(0)) await l.close();
  });
  const manager = (namespace: string, applicationName = "softchat-lease-test") => {
    const leases = createLeaseManager({
      engine: "postgres",
      connectionString: DATABASE_URL,
      namespace,
      logger,
      healthCheckMs: 100,
      applicationName,
    });
    opened.push(leases);
    return leases;
  };

  it("one node holds a lease at a time; closing gives it up to the next", async () => {
    const ns = randomUUID();
    const [a, b] = [manager(ns), manager(ns)];
    expect(await a.tryAcquire("engine:BTC-USD")).toBe(true);
    expect(await b.tryAcquire("engine:BTC-USD")).toBe(false);
    // Another name, or the same name in another namespace, is another lease.
    expect(await b.tryAcquire("engine:ETH-USD")).toBe(true);
    expect(await manager(randomUUID()).tryAcquire("engine:BTC-USD")).toBe(true);
    await a.close();
    expect(await b.tryAcquire("engine:BTC-USD")).toBe(true);
  });

  it("a holder whose connection dies loses its leases and hears about it; another node takes them over", async () => {
    const ns = randomUUID();
    const name = `softchat-lease-${randomUUID().slice(0, 8)}`;
    const [a, b] = [manager(ns, name), manager(ns)];
    const lost: string[][] = [];
    a.onLost((names) => lost.push(names));
    expect(await a.tryAcquire("engine:BTC-USD")).toBe(true);
    expect(await b.tryAcquire("engine:BTC-USD")).toBe(false);

    const admin = await openPostgres({ url: DATABASE_URL ?? "", poolSize: 1 });
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        [name],
      );
    } finally {
      await admin.close();
    }
    await eventually(() => expect(lost).toEqual([["engine:BTC-USD"]]));
    expect(a.isHeld("engine:BTC-USD")).toBe(false);
    expect(await b.tryAcquire("engine:BTC-USD")).toBe(true);
    // The old holder reconnects on its next try, and finds the lease taken.
    expect(await a.tryAcquire("engine:BTC-USD")).toBe(false);
  });

  it("delivers pg_notify wake-ups to the listeners of a channel", async () => {
    const leases = manager(randomUUID());
    const heard: string[] = [];
    const channel = `softchat_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    leases.listen(channel, (payload) => heard.push(payload));
    await leases.tryAcquire("anything");
    const db = await openPostgres({ url: DATABASE_URL ?? "", poolSize: 1 });
    try {
      await db.query("SELECT pg_notify($1, $2)", [channel, "BTC-USD"]);
    } finally {
      await db.close();
    }
    await eventually(() => expect(heard).toEqual(["BTC-USD"]));
  });
});
