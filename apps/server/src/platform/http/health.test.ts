import { afterEach, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  engines,
  eventually,
  startTestServer,
  type TestDatabase,
  type TestServer,
  testConfig,
} from "../../../test/harness.js";
import { startTcpProxy, type TcpProxy } from "../../../test/tcp-proxy.js";
import { type RunningServer, startServer } from "../../server.js";
import { openPostgres } from "../db/postgres.js";

/** Trading engines looking for work every 50 ms, so some of their rounds meet the outage. */
const BUSY_TICKS = { TRADING_ENGINE_TICK_MS: "50" };

describe.each(engines)("/health and /ready (%s)", (engine) => {
  let server: TestServer | undefined;
  let bare: RunningServer | undefined;
  let testDb: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await server?.close();
    await bare?.close();
    await proxy?.close();
    await testDb?.cleanup();
    server = bare = testDb = proxy = undefined;
  });

  it("both answer 200 while the database (and Redis, when configured) answer", async () => {
    server = await startTestServer(engine);
    expect((await server.request("GET", "/health")).body).toEqual({ status: "ok" });
    const ready = await server.request("GET", "/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
    expect(ready.body.checks.database).toBe("ok");
    if (server.platform.config.REDIS_URL) expect(ready.body.checks.redis).toBe("ok");
  });

  it("/ready answers 503 while the database is unreachable, and 200 again once it is back", async () => {
    testDb = await createTestDatabase(engine);
    if (engine === "pglite") {
      // The embedded database lives in the process: closing it is the only way to lose it.
      bare = await startServer(testConfig(engine, BUSY_TICKS), { db: testDb.db });
      await testDb.db.close();
    } else {
      // PostgreSQL is reached through a proxy the test cuts, as a network partition would.
      const target = new URL(process.env.TEST_DATABASE_URL ?? "");
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
      const { rows } = await testDb.db.query<{ schema: string }>("SELECT current_schema() AS schema");
      const url = new URL(target);
      url.port = String(proxy.port);
      const db = await openPostgres({ url: url.toString(), poolSize: 4, schema: rows[0]?.schema });
      bare = await startServer(testConfig(engine, BUSY_TICKS), { db });
      expect((await fetch(`${bare.url}/ready`)).status).toBe(200);
      await proxy.cut();
    }
    const node = bare;
    await eventually(async () => {
      const ready = await fetch(`${node.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: "unavailable",
        checks: expect.objectContaining({ database: "down" }),
      });
    });
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
    // Background work that meets the outage (the trading engines look for orders every 50 ms here) waits
    // for the database to come back; it never takes the process down.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
    if (proxy) {
      await proxy.restore();
      await eventually(async () => expect((await fetch(`${node.url}/ready`)).status).toBe(200));
    }
  });

  it.runIf(engine === "postgres" && process.env.TEST_REDIS_URL)(
    "/ready answers 503 while Redis is unreachable, and 200 again once it is back",
    async () => {
      const target = new URL(process.env.TEST_REDIS_URL ?? "");
      proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
      const url = new URL(target);
      url.port = String(proxy.port);
      server = await startTestServer(engine, { REDIS_URL: url.toString() });
      const node = server;
      expect((await node.request("GET", "/ready")).status).toBe(200);

      await proxy.cut();
      await eventually(async () => {
        const ready = await node.request("GET", "/ready");
        expect(ready.status).toBe(503);
        expect(ready.body).toEqual({ status: "unavailable", checks: { database: "ok", redis: "down" } });
      }, 10_000);
      expect((await node.request("GET", "/health")).status).toBe(200);

      await proxy.restore();
      await eventually(async () => expect((await node.request("GET", "/ready")).status).toBe(200), 15_000);
    },
  );
});
