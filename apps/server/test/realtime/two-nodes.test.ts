import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService } from "../../src/platform/auth/tokens.js";
import type { Database } from "../../src/platform/db/index.js";
import { openPostgres } from "../../src/platform/db/postgres.js";
import { type Node, sharedNodeEnv, startNode, stopNode } from "../cluster.js";
import { createUser, type TestUser } from "../factories.js";
import { eventually, request } from "../harness.js";
import { connectSocket, okData, type TestSocket } from "./socket-client.js";

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
const SECRET = "two-nodes-secret-two-nodes-secret-0123456789";

// Two real server processes on one PostgreSQL schema and one Redis: needs the CI databases.
describe.skipIf(!DATABASE_URL || !REDIS_URL)("two nodes on one PostgreSQL and Redis", () => {
  const schema = `t2n_${randomBytes(5).toString("hex")}`;
  const sockets: TestSocket[] = [];
  let db: Database;
  let nodeA: Node;
  let nodeB: Node;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let roomId: string;

  const open = async (node: Node, user: TestUser) => {
    const s = await connectSocket(node.url, user.token);
    sockets.push(s);
    return s;
  };
  const post = (node: Node, user: TestUser, path: string, body: unknown) =>
    request(node.url, "POST", path, { token: user.token, body });

  beforeAll(async () => {
    const url = DATABASE_URL ?? "";
    const env = await sharedNodeEnv({
      databaseUrl: url,
      redisUrl: REDIS_URL ?? "",
      schema,
      jwtSecret: SECRET,
      poolSize: 5,
      extra: {
        RATE_LIMIT_SOCKET: "100000/1m",
        PRESENCE_OFFLINE_GRACE_MS: "500",
        CHAT_TYPING_TIMEOUT_MS: "500",
        // A killed node's connections stop counting after 2 s instead of 30.
        SOCKET_CONNECTION_TTL_MS: "2000",
      },
    });
    nodeA = await startNode(env);
    nodeB = await startNode(env);
    db = await openPostgres({ url, poolSize: 2, schema });
    const ctx = { db, tokens: createTokenService(SECRET, 900) };
    [alice, bob, admin] = [
      await createUser(ctx),
      await createUser(ctx),
      await createUser(ctx, { role: "admin" }),
    ];
    const room = await post(nodeA, alice, "/api/chat/rooms", {
      name: "Across",
      type: "private",
      memberIds: [bob.id],
    });
    roomId = room.body.room.id;
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([nodeA && stopNode(nodeA, "SIGKILL"), nodeB && stopNode(nodeB, "SIGTERM")]);
    await db?.close();
    const dropper = await openPostgres({ url: DATABASE_URL ?? "", poolSize: 1 });
    await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await dropper.close();
  }, 60_000);

  it("carries chat messages and typing between users connected to different nodes", async () => {
    const [onA, onB] = [await open(nodeA, alice), await open(nodeB, bob)];

    const sent = await post(nodeA, alice, `/api/chat/rooms/${roomId}/messages`, { text: "from A" });
    expect(sent.status).toBe(201);
    await onB.waitFor("message_received", (e) => e.message.id === sent.body.message.id);
    const reply = okData(
      await onB.request("send_message", { roomId, text: "from B", clientId: randomUUID() }),
    );
    await onA.waitFor("message_received", (e) => e.message.id === reply.message.id);

    okData(await onA.request("start_typing", { roomId }));
    await onB.waitFor("typing", (e) => e.userId === alice.id && e.typing);
    await onB.waitFor("typing", (e) => e.userId === alice.id && !e.typing, 5000);
  });

  it("shares presence across nodes: online on one node is online everywhere, offline after the grace", async () => {
    const carol = await createUser({ db, tokens: createTokenService(SECRET, 900) });
    expect((await post(nodeA, carol, "/api/chat/dm", { userId: bob.id })).status).toBe(201);
    const watcher = await open(nodeB, bob);
    const carolDevice = await open(nodeA, carol);
    await watcher.waitFor("user_online", (e) => e.userId === carol.id);
    const seenFromB = await request(nodeB.url, "GET", `/api/presence/${carol.id}`, { token: bob.token });
    expect(seenFromB.body.status).toBe("online");

    // A second device on the other node; closing the first does not make carol offline.
    const second = await open(nodeB, carol);
    carolDevice.close();
    second.close();
    await watcher.waitFor("user_offline", (e) => e.userId === carol.id, 8000);
    expect(watcher.events("user_offline").filter((e) => e.userId === carol.id)).toHaveLength(1);
    await eventually(async () => {
      const res = await request(nodeA.url, "GET", `/api/presence/${carol.id}`, { token: bob.token });
      expect(res.body.status).toBe("offline");
    });
  });

  it("delivers a notification sent through one node to the user's devices on both nodes", async () => {
    const [onA, onB] = [await open(nodeA, alice), await open(nodeB, alice)];
    const res = await post(nodeB, admin, "/api/notifications/send", {
      userId: alice.id,
      type: "system",
      title: "Across nodes",
      body: "hello",
      priority: "normal",
    });
    expect(res.status).toBe(201);
    await onA.waitFor("new_notification", (e) => e.notification.title === "Across nodes");
    await onB.waitFor("new_notification", (e) => e.notification.title === "Across nodes");
  });

  it("a client moved from a killed node to the other misses nothing, catching up with ?after=", async () => {
    // Erin is only on node A: once A dies, her contacts on B must see her go offline.
    const erin = await createUser({ db, tokens: createTokenService(SECRET, 900) });
    expect((await post(nodeB, erin, "/api/chat/dm", { userId: bob.id })).status).toBe(201);
    const watcher = await open(nodeB, bob);
    await open(nodeA, erin);
    await watcher.waitFor("user_online", (e) => e.userId === erin.id);
    const device = await open(nodeA, bob);
    const before = await post(nodeB, alice, `/api/chat/rooms/${roomId}/messages`, {
      text: "before the crash",
    });
    await device.waitFor("message_received", (e) => e.message.id === before.body.message.id);
    const lastSeen = device.events("message_received").at(-1)?.message.id;

    await stopNode(nodeA, "SIGKILL");
    await eventually(() => expect(device.socket.connected).toBe(false), 10_000);
    const missed: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const res = await post(nodeB, alice, `/api/chat/rooms/${roomId}/messages`, { text: `during ${i}` });
      missed.push(res.body.message.id);
    }

    const moved = await open(nodeB, bob);
    const caughtUp = await request(nodeB.url, "GET", `/api/chat/rooms/${roomId}/messages?after=${lastSeen}`, {
      token: bob.token,
    });
    const live = await post(nodeB, alice, `/api/chat/rooms/${roomId}/messages`, { text: "after the move" });
    await moved.waitFor("message_received", (e) => e.message.id === live.body.message.id);

    expect(caughtUp.body.items.map((m: { id: string }) => m.id)).toEqual(missed);
    const seen = [
      ...device.events("message_received").map((e) => e.message.id),
      ...caughtUp.body.items.map((m: { id: string }) => m.id),
      ...moved.events("message_received").map((e) => e.message.id),
    ];
    const history = await request(nodeB.url, "GET", `/api/chat/rooms/${roomId}/messages?limit=200`, {
      token: bob.token,
    });
    const all = history.body.items.map((m: { id: string }) => m.id).reverse();
    // From the last message before the crash on, the client saw every message once, in order.
    const fromCrash = all.slice(all.indexOf(before.body.message.id));
    expect(seen.slice(seen.indexOf(before.body.message.id))).toEqual(fromCrash);

    // Nobody said goodbye for Erin's socket; node B's sweep retires her once A's heartbeat has lapsed.
    await watcher.waitFor("user_offline", (e) => e.userId === erin.id, 15_000);
    const presence = await request(nodeB.url, "GET", `/api/presence/${erin.id}`, { token: bob.token });
    expect(presence.body.status).toBe("offline");
  });
});
