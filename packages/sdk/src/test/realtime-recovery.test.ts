import type { ChatMessage, Notification } from "@softchat/contracts";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../../../../apps/server/src/platform/db/index.js";
import { type RunningServer, startServer } from "../../../../apps/server/src/server.js";
import { createUser } from "../../../../apps/server/test/factories.js";
import {
  createTestDatabase,
  type Engine,
  engines,
  eventually,
  type TestDatabase,
  testConfig,
} from "../../../../apps/server/test/harness.js";
import type { SyncInfo } from "../realtime/types.js";
import { closeServer, signedInClient, stateOf } from "./clients.js";
import { FaultyProxy } from "./tcp-proxy.js";

/** The same database for successive server processes: closing a server must not close it. */
function outliving(db: Database): Database {
  return {
    engine: db.engine,
    query: (sql, params) => db.query(sql, params),
    transaction: (fn, options) => db.transaction(fn, options),
    withLock: (key, fn) => db.withLock(key, fn),
    close: async () => {},
  };
}

/** Starts a Softchat node over `db` (a fresh node each time: new process state, new Socket.IO sessions). */
function startNode(engine: Engine, db: Database): Promise<RunningServer> {
  return startServer(testConfig(engine), { db });
}

describe.each(engines)("catching up after a server restart on %s", (engine) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  it("a client away while the server restarted gets every missed message and notification once, in order", async () => {
    const testDb: TestDatabase = await createTestDatabase(engine);
    cleanups.push(() => testDb.cleanup());
    const db = outliving(testDb.db);
    let node = await startNode(engine, db);
    cleanups.push(() => closeServer(node));
    const proxy = await FaultyProxy.start(node.port);
    cleanups.push(() => proxy.close());

    // Polling is kept out of the way so the catch-up after the reconnect is what is tested.
    const alice = await signedInClient(node, { baseUrl: proxy.url, realtime: { maxFailedAttempts: 1000 } });
    const bobUser = await createUser(node.platform);
    const admin = await createUser(node.platform, { role: "admin" });
    cleanups.push(() => alice.client.realtime.reset());
    const room = await alice.client.chat.createRoom({
      name: "ops",
      type: "private",
      memberIds: [bobUser.id],
    });

    const received: ChatMessage[] = [];
    const notifications: Notification[] = [];
    const syncs: SyncInfo[] = [];
    alice.client.realtime.on("message_received", (e) => received.push(e.message));
    alice.client.realtime.on("new_notification", (e) => notifications.push(e.notification));
    alice.client.realtime.onSync((info) => syncs.push(info));
    alice.client.realtime.connect();
    await alice.client.realtime.joinRoom(room.id);
    const first = await alice.client.realtime.sendMessage(room.id, "before the restart");

    // The network to Alice goes down and the server restarts: its Socket.IO sessions are gone for good.
    proxy.set("down");
    await stateOf(alice.client, "reconnecting");
    await closeServer(node);
    node = await startNode(engine, db);
    proxy.retarget(node.port);

    // Meanwhile Bob writes and an admin notifies Alice, on the new node.
    const bob = (await signedInClient(node, { user: bobUser })).client;
    const adminClient = (await signedInClient(node, { user: admin })).client;
    const missed: string[] = [];
    for (let i = 1; i <= 7; i++) missed.push((await bob.chat.send(room.id, { text: `missed ${i}` })).id);
    await adminClient.notifications.send({
      userId: alice.user.id,
      type: "security",
      title: "New sign-in",
      body: "",
    });

    proxy.set("up");
    await stateOf(alice.client, "connected");
    await eventually(() => expect(received.map((m) => m.id)).toEqual([first.id, ...missed]));
    await eventually(() => expect(notifications.map((n) => n.title)).toEqual(["New sign-in"]));
    await eventually(() => expect(syncs).toContainEqual({ via: "reconnect", complete: true }));
    expect(syncs.filter((s) => s.via === "poll")).toEqual([]);

    // Live delivery resumes on the new node, still without duplicates.
    const after = await bob.chat.send(room.id, { text: "after" });
    await eventually(() => expect(received.map((m) => m.id)).toEqual([first.id, ...missed, after.id]));
    expect(notifications).toHaveLength(1);
  });

  it("falls back to HTTP polling when the socket cannot connect, and upgrades back when it can", async () => {
    const testDb = await createTestDatabase(engine);
    cleanups.push(() => testDb.cleanup());
    const node = await startNode(engine, outliving(testDb.db));
    cleanups.push(() => closeServer(node));
    const proxy = await FaultyProxy.start(node.port);
    cleanups.push(() => proxy.close());

    // HTTP goes straight to the server; only the socket goes through the proxy, which refuses it.
    const polls: string[] = [];
    const alice = await signedInClient(node, {
      fetch: (input, init) => {
        if (input.includes("/messages?") && init.method === "GET") polls.push(input);
        return fetch(input, init);
      },
      realtime: { url: proxy.url, maxFailedAttempts: 3, pollIntervalMs: 200 },
    });
    cleanups.push(() => alice.client.realtime.reset());
    const bob = (await signedInClient(node)).client;
    const room = await bob.chat.createRoom({ name: "town square", type: "public" });
    await alice.client.chat.join(room.id);
    const received: string[] = [];
    alice.client.realtime.on("message_received", (e) => received.push(e.message.text));

    proxy.set("down");
    alice.client.realtime.connect();
    const joined = alice.client.realtime.joinRoom(room.id);
    await stateOf(alice.client, "polling");

    // While polling, messages still arrive (within a polling period) and sends go over HTTP.
    await bob.chat.send(room.id, { text: "polled 1" });
    await bob.chat.send(room.id, { text: "polled 2" });
    await eventually(() => expect(received).toEqual(["polled 1", "polled 2"]));
    const mine = await alice.client.realtime.sendMessage(room.id, "sent while polling");
    expect(mine.text).toBe("sent while polling");
    expect(alice.client.realtime.state).toBe("polling");

    proxy.set("up");
    await stateOf(alice.client, "connected");
    await joined;
    await bob.chat.send(room.id, { text: "live again" });
    await eventually(() =>
      expect(received).toEqual(["polled 1", "polled 2", "sent while polling", "live again"]),
    );

    // Polling has stopped: over several polling periods no more history requests are made.
    const count = polls.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(polls.length).toBeLessThanOrEqual(count + 1);
  });
});
