import type { ChatMessage, Notification, TypingEvent } from "@softchat/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../../apps/server/test/factories.js";
import {
  engines,
  eventually,
  startTestServer,
  type TestServer,
} from "../../../../apps/server/test/harness.js";
import type { SoftchatClient } from "../client.js";
import { closeServer, signedInClient, stateOf } from "./clients.js";
import { FaultyProxy } from "./tcp-proxy.js";

/** Every message_received a client's handlers see, in delivery order. */
function inbox(client: SoftchatClient, roomId: string): ChatMessage[] {
  const seen: ChatMessage[] = [];
  client.realtime.on("message_received", (e) => {
    if (e.roomId === roomId) seen.push(e.message);
  });
  return seen;
}

describe.each(engines)("realtime chat through the SDK on %s", (engine) => {
  let server: TestServer;
  let proxy: FaultyProxy;
  const clients: SoftchatClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
    proxy = await FaultyProxy.start(server.port);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.realtime.reset();
    proxy.set("up");
  });
  afterAll(async () => {
    await proxy?.close();
    if (server) await closeServer(server);
  });

  /** Alice talks to the server through the proxy the test controls; Bob directly. */
  async function pair() {
    const alice = await signedInClient(server, { baseUrl: proxy.url });
    const bob = await signedInClient(server);
    clients.push(alice.client, bob.client);
    const room = await alice.client.chat.createRoom({ name: "lobby", type: "public" });
    alice.client.realtime.connect();
    bob.client.realtime.connect();
    await alice.client.realtime.joinRoom(room.id);
    await bob.client.realtime.joinRoom(room.id);
    return { alice, bob, roomId: room.id };
  }

  it("delivers each message once to every member, the sender's own echo included", async () => {
    const { alice, bob, roomId } = await pair();
    const aliceInbox = inbox(alice.client, roomId);
    const bobInbox = inbox(bob.client, roomId);
    const sent = await alice.client.realtime.sendMessage(roomId, "hello <b>bob</b>");
    expect(sent).toMatchObject({ roomId, senderId: alice.user.id, text: "hello <b>bob</b>" });
    await eventually(() => expect(bobInbox.map((m) => m.id)).toEqual([sent.id]));
    await eventually(() => expect(aliceInbox.map((m) => m.id)).toEqual([sent.id]));
    // A round trip later nothing more has arrived: the live echo and the ack were merged into one delivery.
    const second = await bob.client.realtime.sendMessage(roomId, "hi");
    await eventually(() => expect(aliceInbox.map((m) => m.id)).toEqual([sent.id, second.id]));
    expect(bobInbox.map((m) => m.id)).toEqual([sent.id, second.id]);
  });

  it("queues messages written while disconnected and sends them once, in order, on reconnect", async () => {
    const { alice, bob, roomId } = await pair();
    const bobInbox = inbox(bob.client, roomId);
    proxy.set("down");
    await stateOf(alice.client, "reconnecting");
    const pending = ["one", "two", "three"].map((text) => alice.client.realtime.sendMessage(roomId, text));
    expect(alice.client.realtime.queuedMessages).toBe(3);
    proxy.set("up");
    const stored = await Promise.all(pending);
    expect(alice.client.realtime.state).toBe("connected");
    await eventually(() => expect(bobInbox.map((m) => m.text)).toEqual(["one", "two", "three"]));
    const history = await bob.client.chat.messages(roomId, { limit: 10 });
    expect(history.items.map((m) => m.text).reverse()).toEqual(["one", "two", "three"]);
    expect(stored.map((m) => m.id)).toEqual(bobInbox.map((m) => m.id));
    expect(new Set(stored.map((m) => m.clientId)).size).toBe(3);
  });

  it("resends a message whose acknowledgement was lost with the same clientId, and the room gets it once", async () => {
    const { alice, bob, roomId } = await pair();
    const bobInbox = inbox(bob.client, roomId);
    // The request reaches the server, the acknowledgement never comes back.
    proxy.set("mute");
    const sending = alice.client.realtime.sendMessage(roomId, "only once");
    await eventually(() => expect(bobInbox.map((m) => m.text)).toEqual(["only once"]));
    proxy.set("down");
    proxy.set("up");
    const stored = await sending;
    expect(stored.id).toBe(bobInbox[0]?.id);
    const history = await bob.client.chat.messages(roomId, { limit: 10 });
    expect(history.items.map((m) => m.text)).toEqual(["only once"]);
    expect(bobInbox).toHaveLength(1);
  });

  it("carries typing, notifications and read receipts through typed handlers and acknowledgements", async () => {
    const { alice, bob, roomId } = await pair();
    const typing: TypingEvent[] = [];
    alice.client.realtime.on("typing", (e) => typing.push(e));
    const ack = await bob.client.realtime.startTyping(roomId);
    expect(ack).toEqual({ roomId, userId: bob.user.id, typing: true });
    await eventually(() => expect(typing).toContainEqual({ roomId, userId: bob.user.id, typing: true }));

    const notifications: Notification[] = [];
    bob.client.realtime.on("new_notification", (e) => notifications.push(e.notification));
    const admin = await createUser(server.platform, { role: "admin" });
    const adminClient = (await signedInClient(server, { user: admin })).client;
    await adminClient.notifications.send({ userId: bob.user.id, type: "system", title: "Hi", body: "there" });
    await eventually(() => expect(notifications.map((n) => n.title)).toEqual(["Hi"]));
    const id = notifications[0]?.id ?? "";
    const read = await bob.client.realtime.markNotificationRead(id);
    expect(read).toMatchObject({ id, read: true });
    expect(await bob.client.notifications.unreadCount()).toBe(0);

    const refused = await bob.client.realtime
      .joinRoom("00000000-0000-4000-8000-000000000000")
      .catch((e) => e);
    expect(refused).toMatchObject({ name: "SoftchatError", code: "not_found", status: 404 });
  });
});
