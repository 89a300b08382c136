import { afterEach, describe, expect, it } from "vitest";
import { type CustomApp, startCustomApp } from "../../../test/custom-app.js";
import { registerUser } from "../../../test/factories.js";
import {
  createTestDatabase,
  engines,
  eventually,
  request,
  startTestServer,
  type TestServer,
  testConfig,
} from "../../../test/harness.js";
import { openPostgres } from "../../platform/db/postgres.js";
import { type RunningServer, startServer } from "../../server.js";
import type { SoftchatModule } from "../index.js";
import { authModule, DEMO_SEEDED_TOPIC } from "./index.js";

const ADMIN = { ADMIN_EMAIL: "Root@Example.test", ADMIN_PASSWORD: "admin-password-1" };

describe.each(engines)("first start on %s", (engine) => {
  const open: Array<{ close(): Promise<void> }> = [];
  const start = async (overrides: Record<string, string>): Promise<TestServer> => {
    const server = await startTestServer(engine, overrides);
    open.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  const login = (server: { request: TestServer["request"] }, email: string, password: string) =>
    server.request("POST", "/api/auth/login", { body: { email, password } });

  it("creates the admin of ADMIN_EMAIL and ADMIN_PASSWORD on an empty database", async () => {
    const server = await start(ADMIN);
    const res = await login(server, "root@example.test", ADMIN.ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: "root@example.test", username: "admin", role: "admin" });
  });

  it("creates no admin when the database already has users", async () => {
    const testDb = await createTestDatabase(engine);
    await testDb.db.query(
      "INSERT INTO users (email, username, password_hash) VALUES ('old@example.test', 'old', 'unusable')",
    );
    const server = await startServer(testConfig(engine, ADMIN), { db: testDb.db });
    open.push({
      close: async () => {
        await server.close();
        await testDb.cleanup().catch(() => {});
      },
    });
    const res = await login({ request: (m, p, o) => request(server.url, m, p, o) }, ADMIN.ADMIN_EMAIL, "x");
    expect(res.status).toBe(401);
    const { rows } = await server.platform.db.query("SELECT 1 FROM users WHERE role = 'admin'");
    expect(rows).toHaveLength(0);
  });

  it("seeds alice, bob, carol and a demo admin who sign in with the demo password", async () => {
    const server = await start({ SEED_DEMO: "true" });
    for (const [username, role] of [
      ["alice", "user"],
      ["bob", "user"],
      ["carol", "creator"],
      ["admin", "admin"],
    ] as const) {
      const res = await login(server, `${username}@softchat.local`, "softchat-demo");
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ username, role });
    }
  });

  it("GET /api/meta lists the demo accounts in embedded mode only", async () => {
    const server = await start({ SEED_DEMO: "true" });
    const res = await server.request("GET", "/api/meta");
    expect(res.status).toBe(200);
    if (engine === "pglite") {
      expect(res.body.mode).toBe("embedded");
      expect(res.body.demoUsers).toEqual(
        ["alice", "bob", "carol", "admin"].map((username) => ({
          email: `${username}@softchat.local`,
          username,
          password: "softchat-demo",
        })),
      );
    } else {
      expect(res.body).toEqual({ mode: "scaled", demoUsers: [] });
    }
  });

  it("with ADMIN_EMAIL set, seeds no demo admin and keeps the username admin for the real one", async () => {
    const server = await start({ SEED_DEMO: "true", ...ADMIN });
    expect((await login(server, "admin@softchat.local", "softchat-demo")).status).toBe(401);
    expect((await login(server, "root@example.test", ADMIN.ADMIN_PASSWORD)).body.user.username).toBe("admin");
    if (engine === "pglite") {
      const meta = await server.request("GET", "/api/meta");
      expect(meta.body.demoUsers.map((u: { username: string }) => u.username)).toEqual([
        "alice",
        "bob",
        "carol",
      ]);
    }
  });

  it("GET /api/meta lists no demo accounts when SEED_DEMO is off, and a registered look-alike is not one", async () => {
    const server = await start({ SEED_DEMO: "false" });
    await registerUser(server, { email: "alice@softchat.local", username: "alice" });
    const res = await server.request("GET", "/api/meta");
    expect(res.body.demoUsers).toEqual([]);
  });

  it("tells other modules about the demo accounts it created, after commit", async () => {
    const received: unknown[] = [];
    const listener: SoftchatModule = {
      name: "demo-listener",
      register: (_app, ctx) => ctx.outbox.on(DEMO_SEEDED_TOPIC, (event) => void received.push(event.payload)),
    };
    const node: CustomApp = await startCustomApp(engine, [authModule, listener], { SEED_DEMO: "true" });
    open.push(node);
    // A bare custom node does not start dispatching by itself; a real node does once it listens.
    node.platform.outbox.start();
    await eventually(() => expect(received).toHaveLength(1));
    expect(received[0]).toMatchObject({
      users: expect.arrayContaining([
        expect.objectContaining({ username: "alice", email: "alice@softchat.local" }),
      ]),
    });
    if (engine === "pglite") {
      const line = node.logs.find((l) => String(l.msg).startsWith("Demo accounts:"));
      expect(line?.msg).toContain("alice@softchat.local");
      expect(line?.msg).toContain("softchat-demo");
    }
  });

  it.runIf(engine === "postgres")("two nodes starting together on an empty database seed once", async () => {
    const testDb = await createTestDatabase(engine);
    const { rows } = await testDb.db.query<{ schema: string }>("SELECT current_schema() AS schema");
    const url = process.env.TEST_DATABASE_URL ?? "";
    const second = await openPostgres({ url, poolSize: 5, schema: rows[0]?.schema ?? "" });
    const config = { SEED_DEMO: "true", ...ADMIN };
    const nodes: RunningServer[] = await Promise.all([
      startServer(testConfig(engine, config), { db: testDb.db }),
      startServer(testConfig(engine, config), { db: second }),
    ]);
    open.push({
      close: async () => {
        for (const node of nodes) await node.close();
        await testDb.cleanup().catch(() => {});
      },
    });
    const count = await nodes[0]?.platform.db.query<{ n: string }>("SELECT count(*) AS n FROM users");
    expect(count?.rows[0]?.n).toBe("4");
  });
});
