import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../../apps/server/test/factories.js";
import {
  engines,
  eventually,
  startTestServer,
  type TestServer,
} from "../../../../apps/server/test/harness.js";
import type { SoftchatClient } from "../client.js";
import { ChatRoomStore } from "../stores/chat-room-store.js";
import { NotificationsStore } from "../stores/notifications-store.js";
import { PresenceStore } from "../stores/presence-store.js";
import { closeServer, signedInClient, stateOf } from "./clients.js";
import { FaultyProxy } from "./tcp-proxy.js";

// The stores behind the React hooks, driven the way the hooks drive them, against a real server.
describe.each(engines)("UI stores on %s", (engine) => {
  let server: TestServer;
  let proxy: FaultyProxy;
  const stops: Array<() => void> = [];

  beforeAll(async () => {
    server = await startTestServer(engine, { PRESENCE_OFFLINE_GRACE_MS: "0", CHAT_TYPING_TIMEOUT_MS: "300" });
    proxy = await FaultyProxy.start(server.port);
  });
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    proxy.set("up");
  });
  afterAll(async () => {
    await proxy?.close();
    if (server) await closeServer(server);
  });

  async function connected(options: { viaProxy?: boolean } = {}): Promise<SoftchatClient> {
    const { client } = await signedInClient(server, options.viaProxy ? { baseUrl: proxy.url } : {});
    await client.auth.me();
    client.realtime.connect();
    stops.push(() => client.realtime.reset());
    await stateOf(client, "connected");
    return client;
  }

  it("a chat view shows history, my messages as sending/queued then sent, others typing, and older pages", async () => {
    const alice = await connected({ viaProxy: true });
    const bob = await connected();
    const room = await bob.chat.createRoom({ name: "history", type: "public" });
    for (let i = 1; i <= 55; i++) await bob.chat.send(room.id, { text: `old ${i}` });

    const view = new ChatRoomStore(alice, room.id);
    view.start();
    stops.push(() => view.stop());
    await eventually(() => expect(view.getSnapshot().ready).toBe(true));
    expect(
      view
        .getSnapshot()
        .entries.map((e) => e.text)
        .slice(-2),
    ).toEqual(["old 54", "old 55"]);
    expect(view.getSnapshot().entries).toHaveLength(50);
    expect(view.getSnapshot().hasOlder).toBe(true);
    await view.loadOlder();
    expect(
      view
        .getSnapshot()
        .entries.map((e) => e.text)
        .slice(0, 2),
    ).toEqual(["old 1", "old 2"]);
    expect(view.getSnapshot().hasOlder).toBe(false);

    const statuses: string[] = [];
    view.subscribe(() => {
      const last = view.getSnapshot().entries.at(-1);
      if (last?.text === "new" && statuses.at(-1) !== last.status) statuses.push(last.status);
    });
    await view.send("new");
    expect(statuses).toEqual(["sending", "sent"]);

    proxy.set("down");
    await stateOf(alice, "reconnecting");
    const queued = view.send("while offline");
    expect(view.getSnapshot().entries.at(-1)).toMatchObject({ text: "while offline", status: "queued" });
    proxy.set("up");
    await queued;
    expect(view.getSnapshot().entries.at(-1)).toMatchObject({ text: "while offline", status: "sent" });
    expect(view.getSnapshot().entries.filter((e) => e.text === "while offline")).toHaveLength(1);

    await bob.realtime.joinRoom(room.id);
    await bob.realtime.startTyping(room.id);
    const bobId = bob.auth.user?.id;
    await eventually(() => expect(view.getSnapshot().typingUserIds).toEqual([bobId]));
    // The server expires the indicator by itself (300 ms here).
    await eventually(() => expect(view.getSnapshot().typingUserIds).toEqual([]));
    expect(view.getSnapshot().error).toBeNull();
  });

  it("the notification list keeps a live unread count and marks read optimistically", async () => {
    const alice = await connected();
    const admin = await createUser(server.platform, { role: "admin" });
    const adminClient = (await signedInClient(server, { user: admin })).client;
    const aliceId = alice.auth.user?.id ?? "";
    await adminClient.notifications.send({ userId: aliceId, type: "system", title: "older", body: "" });

    const list = new NotificationsStore(alice);
    list.start();
    stops.push(() => list.stop());
    await eventually(() => expect(list.getSnapshot()).toMatchObject({ ready: true, unreadCount: 1 }));
    await adminClient.notifications.send({
      userId: aliceId,
      type: "tip",
      title: "newer",
      body: "",
      priority: "high",
    });
    await eventually(() => expect(list.getSnapshot().items.map((n) => n.title)).toEqual(["newer", "older"]));
    expect(list.getSnapshot().unreadCount).toBe(2);

    const marking = list.markRead(list.getSnapshot().items[0]?.id ?? "");
    expect(list.getSnapshot().unreadCount).toBe(1);
    await marking;
    expect(list.getSnapshot().items[0]).toMatchObject({ title: "newer", read: true });
    expect(await alice.notifications.unreadCount()).toBe(1);
  });

  it("presence follows a room-mate coming online and going offline", async () => {
    const alice = await connected();
    const { client: bob, user: bobUser } = await signedInClient(server);
    stops.push(() => bob.realtime.reset());
    await alice.chat.dm(bobUser.id);

    const presence = new PresenceStore(alice, [bobUser.id]);
    presence.start();
    stops.push(() => presence.stop());
    await eventually(() => expect(presence.getSnapshot().users[bobUser.id]?.status).toBe("offline"));
    bob.realtime.connect();
    await eventually(() => expect(presence.getSnapshot().users[bobUser.id]?.status).toBe("online"));
    await bob.realtime.updatePresence("away");
    await eventually(() => expect(presence.getSnapshot().users[bobUser.id]?.status).toBe("away"));
    bob.realtime.disconnect();
    await eventually(() => expect(presence.getSnapshot().users[bobUser.id]?.status).toBe("offline"));
  });
});
