import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { engines } from "../../../test/harness.js";
import { okData } from "../../../test/realtime/socket-client.js";
import { useChatFixture } from "./chat-fixture.js";

describe.each(engines)("chat messages (%s)", (engine) => {
  const f = useChatFixture(engine, { CHAT_TYPING_TIMEOUT_MS: "400" });
  const { user, open, createRoom, send } = f;

  it("a message reaches every member's devices once, after it is stored, and never a non-member", async () => {
    const [alice, bob, eve] = [await user(), await user(), await user()];
    const room = await createRoom(alice, { name: "Pair", type: "private", memberIds: [bob.id] });
    const [bobPhone, bobLaptop, eveSocket] = [await open(bob), await open(bob), await open(eve)];

    const sent = await send(alice, room.id, "hello bob");
    expect(sent.status).toBe(201);
    const message = sent.body.message;
    expect(message).toMatchObject({ roomId: room.id, senderId: alice.id, text: "hello bob", clientId: null });

    for (const device of [bobPhone, bobLaptop]) {
      const event = await device.waitFor("message_received");
      expect(event).toEqual({ roomId: room.id, message });
    }
    const history = await f.server.request("GET", `/api/chat/rooms/${room.id}/messages`, {
      token: bob.token,
    });
    expect(history.body.items).toEqual([message]);
    // A later message to the same devices proves nothing else was on its way.
    await send(alice, room.id, "second");
    await bobPhone.waitFor("message_received", (e) => e.message.text === "second");
    expect(bobPhone.events("message_received")).toHaveLength(2);
    expect(eveSocket.events("message_received")).toEqual([]);
  });

  it("a retried send with the same clientId stores one message and sends one event", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Retry", type: "private", memberIds: [bob.id] });
    const bobSocket = await open(bob);
    const aliceSocket = await open(alice);
    const clientId = randomUUID();

    const first = await send(alice, room.id, "only once", clientId);
    const retries = await Promise.all([
      send(alice, room.id, "only once", clientId),
      send(alice, room.id, "only once", clientId),
    ]);
    const overSocket = okData(
      await aliceSocket.request("send_message", { roomId: room.id, text: "only once", clientId }),
    );
    expect(first.status).toBe(201);
    for (const retry of retries) expect(retry.body.message).toEqual(first.body.message);
    expect(overSocket.message).toEqual(first.body.message);

    await send(alice, room.id, "barrier");
    await bobSocket.waitFor("message_received", (e) => e.message.text === "barrier");
    expect(bobSocket.events("message_received").map((e) => e.message.text)).toEqual(["only once", "barrier"]);
    const history = await f.server.request("GET", `/api/chat/rooms/${room.id}/messages`, {
      token: bob.token,
    });
    expect(history.body.items.map((m: { text: string }) => m.text)).toEqual(["barrier", "only once"]);

    // The same clientId from another sender is another message.
    const fromBob = await send(bob, room.id, "mine", clientId);
    expect(fromBob.body.message.id).not.toBe(first.body.message.id);
  });

  it("stores text exactly as typed, never as HTML, and refuses blank or over-long text", async () => {
    const alice = await user();
    const room = await createRoom(alice, { name: "Text", type: "public" });
    const typed = "  <script>alert('x')</script> & <b>bold</b>\n  ";
    const res = await send(alice, room.id, typed);
    expect(res.body.message.text).toBe(typed);
    const emoji = "😀".repeat(4000);
    expect((await send(alice, room.id, emoji)).status).toBe(201);

    for (const bad of ["", "   \n\t ", "x".repeat(4001), "😀".repeat(4001)]) {
      const refused = await send(alice, room.id, bad);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe("validation_failed");
    }
    const history = await f.server.request("GET", `/api/chat/rooms/${room.id}/messages`, {
      token: alice.token,
    });
    expect(history.body.items.map((m: { text: string }) => m.text)).toEqual([emoji, typed]);
  });

  it("pages history newest first with a cursor, and returns what follows a message oldest first with ?after=", async () => {
    const alice = await user();
    const room = await createRoom(alice, { name: "History", type: "public" });
    const ids: string[] = [];
    for (let i = 1; i <= 7; i++) ids.push((await send(alice, room.id, `m${i}`)).body.message.id);
    const base = `/api/chat/rooms/${room.id}/messages`;
    const token = alice.token;

    const texts = (res: { body: { items: Array<{ text: string }> } }) => res.body.items.map((m) => m.text);
    const page1 = await f.server.request("GET", `${base}?limit=3`, { token });
    expect(texts(page1)).toEqual(["m7", "m6", "m5"]);
    const page2 = await f.server.request("GET", `${base}?limit=3&cursor=${page1.body.nextCursor}`, { token });
    expect(texts(page2)).toEqual(["m4", "m3", "m2"]);
    const page3 = await f.server.request("GET", `${base}?limit=3&cursor=${page2.body.nextCursor}`, { token });
    expect(texts(page3)).toEqual(["m1"]);
    expect(page3.body.nextCursor).toBeNull();

    const after = await f.server.request("GET", `${base}?after=${ids[2]}&limit=2`, { token });
    expect(texts(after)).toEqual(["m4", "m5"]);
    const afterMore = await f.server.request("GET", `${base}?limit=2&cursor=${after.body.nextCursor}`, {
      token,
    });
    expect(texts(afterMore)).toEqual(["m6", "m7"]);
    const caughtUp = await f.server.request("GET", `${base}?after=${ids[6]}`, { token });
    expect(caughtUp.body).toEqual({ items: [], nextCursor: null });

    const bad = await f.server.request("GET", `${base}?cursor=garbage`, { token });
    expect(bad.status).toBe(400);
  });

  it("shows typing to the other members only, and ends it by itself when not refreshed", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Typing", type: "private", memberIds: [bob.id] });
    const [aliceTyping, aliceOther, bobSocket] = [await open(alice), await open(alice), await open(bob)];

    const started = Date.now();
    okData(await aliceTyping.request("start_typing", { roomId: room.id }));
    expect(await bobSocket.waitFor("typing")).toEqual({ roomId: room.id, userId: alice.id, typing: true });
    const ended = await bobSocket.waitFor("typing", (e) => !e.typing, 3000);
    expect(ended).toEqual({ roomId: room.id, userId: alice.id, typing: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(aliceOther.events("typing")).toEqual([]);

    // Over REST, for yourself only.
    const rest = await f.server.request("PUT", `/api/chat/rooms/${room.id}/users/${bob.id}/typing`, {
      token: bob.token,
      body: { typing: true },
    });
    expect(rest.body).toEqual({ roomId: room.id, userId: bob.id, typing: true });
    await aliceOther.waitFor("typing", (e) => e.userId === bob.id && e.typing);
    const stop = await bobSocket.request("stop_typing", { roomId: room.id });
    expect(okData(stop).typing).toBe(false);
    await aliceOther.waitFor("typing", (e) => e.userId === bob.id && !e.typing);
    const forOther = await f.server.request("PUT", `/api/chat/rooms/${room.id}/users/${alice.id}/typing`, {
      token: bob.token,
      body: { typing: true },
    });
    expect(forOther.status).toBe(403);
    expect(forOther.body.error.code).toBe("forbidden");
  });

  it("counts unread messages per member, clears them when read, and lists rooms with their last message", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Unread", type: "private", memberIds: [bob.id] });
    const m1 = (await send(alice, room.id, "one")).body.message;
    const m2 = (await send(alice, room.id, "two")).body.message;
    await send(bob, room.id, "mine do not count");
    const m3 = (await send(alice, room.id, "three")).body.message;

    const rooms = async () =>
      (await f.server.request("GET", "/api/chat/rooms", { token: bob.token })).body.items[0] as {
        unreadCount: number;
        lastMessage: { id: string } | null;
      };
    expect(await rooms()).toMatchObject({ unreadCount: 3, lastMessage: { id: m3.id } });

    const read = await f.server.request("POST", `/api/chat/rooms/${room.id}/read`, {
      token: bob.token,
      body: { messageId: m2.id },
    });
    expect(read.body).toEqual({ roomId: room.id, unreadCount: 1 });
    const bobSocket = await open(bob);
    expect(okData(await bobSocket.request("mark_room_read", { roomId: room.id })).unreadCount).toBe(0);

    await send(alice, room.id, "four");
    expect((await rooms()).unreadCount).toBe(1);
    await f.server.request("GET", `/api/chat/rooms/${room.id}/messages`, { token: bob.token });
    expect((await rooms()).unreadCount).toBe(0);
    expect(m1.id).toBeTruthy();
  });
});
