import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { connectSocket, type TestSocket } from "./socket-client.js";

interface Message {
  id: string;
  text: string;
}

describe.each(engines)("reconnecting clients (%s)", (engine) => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  const send = async (text: string): Promise<Message> => {
    const res = await server.request("POST", `/api/chat/rooms/${roomId}/messages`, {
      token: alice.token,
      body: { text },
    });
    expect(res.status).toBe(201);
    return res.body.message;
  };
  const received = (s: TestSocket) => s.events("message_received").map((e) => e.message.text);

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server.close();
  });

  beforeAll(async () => {
    [alice, bob] = [await createUser(server.platform), await createUser(server.platform)];
  });
  // A fresh room per test, so each test's messages are its own.
  const newRoom = async () => {
    const res = await server.request("POST", "/api/chat/rooms", {
      token: alice.token,
      body: { name: "Recovery", type: "private", memberIds: [bob.id] },
    });
    roomId = res.body.room.id;
  };

  it("replays the messages sent while a client was away, each exactly once, when its session is recovered", async () => {
    await newRoom();
    const device = await connectSocket(server.url, bob.token);
    sockets.push(device);
    await send("before");
    await device.waitFor("message_received", (e) => e.message.text === "before");

    const connectionsBefore = server.platform.realtime.localConnections;
    // The network drops (no goodbye from the client): the server keeps the session for two minutes.
    device.socket.io.engine.close();
    await eventually(() => expect(server.platform.realtime.localConnections).toBe(connectionsBefore - 1));
    const missed = [];
    for (let i = 1; i <= 5; i++) missed.push((await send(`while away ${i}`)).text);

    device.socket.connect();
    await eventually(() => expect(device.socket.connected).toBe(true));
    expect(device.socket.recovered).toBe(true);
    await device.waitFor("message_received", (e) => e.message.text === "while away 5");
    await send("after");
    await device.waitFor("message_received", (e) => e.message.text === "after");
    expect(received(device)).toEqual(["before", ...missed, "after"]);
  });

  it("recovers from the middle of events fanned out together: the client gets exactly those after the last it saw", async () => {
    const device = await connectSocket(server.url, bob.token);
    sockets.push(device);
    const offsets: string[] = [];
    device.socket.onAny((event: string, ...args: unknown[]) => {
      const offset = args.at(-1);
      if (event === "balance_update" && typeof offset === "string") offsets.push(offset);
    });
    const assets = () => device.events("balance_update").map((e) => e.asset);
    const { io } = server.platform.realtime;
    const emit = (asset: string) =>
      (io.to(`user:${bob.id}`).emit as (event: string, data: unknown) => boolean)("balance_update", {
        asset,
        available: "1",
        pending: "0",
        total: "1",
      });
    const stream = `${server.platform.config.REDIS_PREFIX}socket.io`;
    const entries = async () => (server.platform.redis ? await server.platform.redis.xlen(stream) : 0);
    const entriesBefore = await entries();
    // One fan-out: a settled batch tells a trader of several balances at once.
    emit("USD");
    emit("BTC");
    emit("ETH");
    await eventually(() => expect(offsets).toHaveLength(3));
    expect(new Set(offsets).size).toBe(3);
    // Across nodes, the three went out as one stream entry.
    if (server.platform.redis) expect(await entries()).toBe(entriesBefore + 1);

    // The network drops when the client had taken in only the first of the three (the offset it resumes from).
    (device.socket as unknown as { _lastOffset: string })._lastOffset = offsets[0] as string;
    const connectionsBefore = server.platform.realtime.localConnections;
    device.socket.io.engine.close();
    await eventually(() => expect(server.platform.realtime.localConnections).toBe(connectionsBefore - 1));
    emit("SOFT");
    device.socket.connect();
    await eventually(() => expect(device.socket.connected).toBe(true));
    expect(device.socket.recovered).toBe(true);
    await eventually(() => expect(assets()).toEqual(["USD", "BTC", "ETH", "BTC", "ETH", "SOFT"]));
  });

  it("delivers a fan-out larger than one stream entry holds in order, in as few entries as it needs", async () => {
    const device = await connectSocket(server.url, bob.token);
    sockets.push(device);
    const { io } = server.platform.realtime;
    const stream = `${server.platform.config.REDIS_PREFIX}socket.io`;
    const entries = async () => (server.platform.redis ? await server.platform.redis.xlen(stream) : 0);
    const entriesBefore = await entries();
    // 501 events in one turn: a full entry of 500, then one more.
    const assets = Array.from({ length: 501 }, (_, i) => `A${i}`);
    for (const asset of assets) {
      (io.to(`user:${bob.id}`).emit as (event: string, data: unknown) => boolean)("balance_update", {
        asset,
        available: "1",
        pending: "0",
        total: "1",
      });
    }
    await eventually(() => expect(device.events("balance_update")).toHaveLength(501));
    expect(device.events("balance_update").map((e) => e.asset)).toEqual(assets);
    if (server.platform.redis) expect(await entries()).toBe(entriesBefore + 2);
  });

  it("lets a client that could not recover catch up from its last message with ?after=, losing nothing", async () => {
    await newRoom();
    const first = await connectSocket(server.url, bob.token);
    sockets.push(first);
    const seen: Message[] = [];
    const last = await send("seen live");
    await first.waitFor("message_received", (e) => e.message.id === last.id);
    seen.push(...first.events("message_received").map((e) => e.message));
    first.close();

    const missed = [];
    for (let i = 1; i <= 4; i++) missed.push(await send(`missed ${i}`));
    // A brand-new connection (another tab, another node, or past the recovery window) has no session.
    const second = await connectSocket(server.url, bob.token);
    sockets.push(second);
    expect(second.socket.recovered).toBe(false);
    const lastSeen = seen.at(-1)?.id;
    const caughtUp = await server.request("GET", `/api/chat/rooms/${roomId}/messages?after=${lastSeen}`, {
      token: bob.token,
    });
    const live = await send("live again");
    await second.waitFor("message_received", (e) => e.message.id === live.id);

    const byId = new Map<string, Message>();
    for (const m of [
      ...seen,
      ...caughtUp.body.items,
      ...second.events("message_received").map((e) => e.message),
    ]) {
      byId.set(m.id, m);
    }
    expect(caughtUp.body.items.map((m: Message) => m.text)).toEqual(missed.map((m) => m.text));
    expect([...byId.values()].map((m) => m.text)).toEqual([
      "seen live",
      ...missed.map((m) => m.text),
      "live again",
    ]);
  });

  it("closes promptly with sockets open, disconnecting them in a way clients treat as recoverable", async () => {
    const node = await startTestServer(engine);
    const user = await createUser(node.platform);
    const device = await connectSocket(node.url, user.token);
    const reasons: string[] = [];
    device.socket.on("disconnect", (reason) => reasons.push(reason));
    const started = Date.now();
    await node.close();
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually(() => expect(reasons).toEqual(["transport close"]));
    device.close();
  });
});
