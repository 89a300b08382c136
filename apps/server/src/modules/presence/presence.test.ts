import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../../../test/harness.js";
import { connectSocket, okData, type TestSocket } from "../../../test/realtime/socket-client.js";

const GRACE_MS = 400;

describe.each(engines)("presence (%s)", (engine) => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  const open = async (user: TestUser) => {
    const s = await connectSocket(server.url, user.token);
    sockets.push(s);
    return s;
  };
  const presenceOf = async (viewer: TestUser, userId: string) =>
    server.request("GET", `/api/presence/${userId}`, { token: viewer.token });
  /** Two users sharing a DM, so each hears of the other's presence. */
  const pair = async () => {
    const [alice, bob] = [await createUser(server.platform), await createUser(server.platform)];
    const dm = await server.request("POST", "/api/chat/dm", { token: alice.token, body: { userId: bob.id } });
    expect(dm.status).toBe(201);
    return { alice, bob };
  };

  beforeAll(async () => {
    server = await startTestServer(engine, { PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS) });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server.close();
  });

  it("is online while any device is connected, and offline only once the grace period passes with none", async () => {
    const { alice, bob } = await pair();
    const watcher = await open(bob);
    expect((await presenceOf(bob, alice.id)).body).toEqual({
      userId: alice.id,
      status: "offline",
      lastSeenAt: null,
    });

    const phone = await open(alice);
    await watcher.waitFor("user_online", (e) => e.userId === alice.id);
    await watcher.waitFor("presence_update", (e) => e.userId === alice.id && e.status === "online");
    const laptop = await open(alice);
    phone.close();
    expect((await presenceOf(bob, alice.id)).body.status).toBe("online");

    laptop.close();
    const closedAt = Date.now();
    const offline = await watcher.waitFor("user_offline", (e) => e.userId === alice.id, 5000);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(offline.lastSeenAt).not.toBeNull();
    const after = (await presenceOf(bob, alice.id)).body;
    expect(after.status).toBe("offline");
    expect(Date.parse(after.lastSeenAt)).toBeGreaterThan(closedAt - 5000);
    // One device more or less while online is no news.
    expect(watcher.events("user_online").filter((e) => e.userId === alice.id)).toHaveLength(1);
  });

  it("does not flap when a device reconnects within the grace period (a page reload)", async () => {
    const { alice, bob } = await pair();
    // Carol leaves for good at the same moment: her user_offline marks the end of the grace period.
    const carol = await createUser(server.platform);
    await server.request("POST", "/api/chat/dm", { token: carol.token, body: { userId: bob.id } });
    const watcher = await open(bob);
    const [aliceTab, carolTab] = [await open(alice), await open(carol)];
    await watcher.waitFor("user_online", (e) => e.userId === alice.id);
    await watcher.waitFor("user_online", (e) => e.userId === carol.id);

    aliceTab.close();
    carolTab.close();
    await open(alice);
    await watcher.waitFor("user_offline", (e) => e.userId === carol.id, 5000);
    expect(watcher.events("user_offline").filter((e) => e.userId === alice.id)).toEqual([]);
    expect(watcher.events("user_online").filter((e) => e.userId === alice.id)).toHaveLength(1);
    expect((await presenceOf(bob, alice.id)).body.status).toBe("online");
  });

  it("tells only the users who share a room or DM, and shows presence only to them", async () => {
    const { alice, bob } = await pair();
    const eve = await createUser(server.platform);
    const [bobSocket, eveSocket] = [await open(bob), await open(eve)];
    await open(alice);
    await bobSocket.waitFor("user_online", (e) => e.userId === alice.id);
    const aliceSocket = sockets.at(-1);
    okData(await (aliceSocket as TestSocket).request("update_presence", { status: "away" }));
    await bobSocket.waitFor("presence_update", (e) => e.userId === alice.id && e.status === "away");
    expect(eveSocket.received.filter((r) => JSON.stringify(r.data).includes(alice.id))).toEqual([]);

    expect((await presenceOf(eve, alice.id)).status).toBe(403);
    expect((await presenceOf(bob, alice.id)).body.status).toBe("away");
    expect((await presenceOf(alice, alice.id)).status).toBe(200);
    const admin = await createUser(server.platform, { role: "admin" });
    expect((await presenceOf(admin, alice.id)).status).toBe(200);
  });

  it("sets away and back with update_presence on every device of the user; offline cannot be chosen", async () => {
    const { alice, bob } = await pair();
    const watcher = await open(bob);
    const [phone, laptop] = [await open(alice), await open(alice)];
    const away = okData(await phone.request("update_presence", { status: "away" }));
    expect(away).toMatchObject({ userId: alice.id, status: "away" });
    await laptop.waitFor("presence_update", (e) => e.status === "away");
    await watcher.waitFor("presence_update", (e) => e.userId === alice.id && e.status === "away");
    okData(await laptop.request("update_presence", { status: "online" }));
    await watcher.waitFor("presence_update", (e) => e.userId === alice.id && e.status === "online");

    const refused = await phone.raw("update_presence", { status: "offline" });
    expect(refused.ok ? "ok" : refused.error.code).toBe("validation_failed");
  });

  it("does not let a connection linger after its socket is gone (a killed client counts as disconnected)", async () => {
    const { alice, bob } = await pair();
    const watcher = await open(bob);
    const phone = await open(alice);
    await watcher.waitFor("user_online", (e) => e.userId === alice.id);
    // Drop the transport without a goodbye, as a lost network would.
    phone.socket.io.engine.close();
    await watcher.waitFor("user_offline", (e) => e.userId === alice.id, 5000);
    await eventually(async () => expect((await presenceOf(bob, alice.id)).body.status).toBe("offline"));
  });
});
