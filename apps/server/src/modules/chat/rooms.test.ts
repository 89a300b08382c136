import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { engines, eventually } from "../../../test/harness.js";
import { okData } from "../../../test/realtime/socket-client.js";
import { useChatFixture } from "./chat-fixture.js";

describe.each(engines)("chat rooms (%s)", (engine) => {
  const f = useChatFixture(engine);
  const { user, open, createRoom, send } = f;

  it("creating a room makes the creator its owner and the given users members, who find it in their rooms", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Design", type: "private", memberIds: [bob.id] });
    expect(room).toMatchObject({ name: "Design", type: "private", memberCount: 2 });

    const bobs = await f.server.request("GET", "/api/chat/rooms", { token: bob.token });
    expect(bobs.body.items.map((r: { id: string }) => r.id)).toEqual([room.id]);
    const users = await f.server.request("GET", `/api/chat/rooms/${room.id}/users`, { token: bob.token });
    const roles = Object.fromEntries(
      users.body.items.map((u: { userId: string; role: string }) => [u.userId, u.role]),
    );
    expect(roles).toEqual({ [alice.id]: "owner", [bob.id]: "member" });
  });

  it("a DM is one room per pair, whoever opens it and even when both open it at the same moment", async () => {
    const [alice, bob] = [await user(), await user()];
    const [fromAlice, fromBob] = await Promise.all([
      f.server.request("POST", "/api/chat/dm", { token: alice.token, body: { userId: bob.id } }),
      f.server.request("POST", "/api/chat/dm", { token: bob.token, body: { userId: alice.id } }),
    ]);
    expect(fromAlice.body.room.id).toBe(fromBob.body.room.id);
    expect([fromAlice.status, fromBob.status].sort()).toEqual([200, 201]);
    expect(fromAlice.body.room).toMatchObject({
      type: "dm",
      name: bob.username,
      peerId: bob.id,
      memberCount: 2,
    });
    expect(fromBob.body.room).toMatchObject({ name: alice.username, peerId: alice.id });

    const again = await f.server.request("POST", "/api/chat/dm", {
      token: alice.token,
      body: { userId: bob.id },
    });
    expect(again.status).toBe(200);
    expect(again.body.room.id).toBe(fromAlice.body.room.id);
    const self = await f.server.request("POST", "/api/chat/dm", {
      token: alice.token,
      body: { userId: alice.id },
    });
    expect(self.status).toBe(400);
  });

  it("a private room's messages, members and typing stay hidden from a non-member, even with its id", async () => {
    const [alice, eve] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Secret", type: "private" });
    const base = `/api/chat/rooms/${room.id}`;
    const token = eve.token;
    for (const res of [
      await f.server.request("GET", `${base}/messages`, { token }),
      await f.server.request("GET", `${base}/users`, { token }),
      await f.server.request("GET", base, { token }),
      await send(eve, room.id, "let me in"),
      await f.server.request("POST", `${base}/join`, { token }),
      await f.server.request("PUT", `${base}/users/${eve.id}/typing`, { token, body: { typing: true } }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("not_a_member");
    }

    const aliceSocket = await open(alice);
    const eveSocket = await open(eve);
    for (const ack of [
      await eveSocket.request("join_room", { roomId: room.id }),
      await eveSocket.request("send_message", { roomId: room.id, text: "hi", clientId: randomUUID() }),
      await eveSocket.request("start_typing", { roomId: room.id }),
    ]) {
      expect(ack.ok ? "ok" : ack.error.code).toBe("not_a_member");
    }
    okData(await aliceSocket.request("start_typing", { roomId: room.id }));
    await send(alice, room.id, "only for members");
    await aliceSocket.waitFor("message_received");
    expect(eveSocket.received.filter((r) => r.event !== "presence_update")).toEqual([]);

    const unknown = await f.server.request("GET", `/api/chat/rooms/${randomUUID()}/messages`, { token });
    expect(unknown.status).toBe(404);
  });

  it("joining a public room over a socket tells the room, delivers its messages; leaving stops them", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Lobby", type: "public" });
    const aliceSocket = await open(alice);
    const bobSocket = await open(bob);

    const joined = okData(await bobSocket.request("join_room", { roomId: room.id }));
    expect(joined.room).toMatchObject({ id: room.id, memberCount: 2 });
    await aliceSocket.waitFor("user_joined", (e) => e.userId === bob.id && e.roomId === room.id);
    await send(alice, room.id, "welcome");
    await bobSocket.waitFor("message_received", (e) => e.message.text === "welcome");

    okData(await bobSocket.request("leave_room", { roomId: room.id }));
    await aliceSocket.waitFor("user_left", (e) => e.userId === bob.id);
    await send(alice, room.id, "gone?");
    await aliceSocket.waitFor("message_received", (e) => e.message.text === "gone?");
    expect(bobSocket.events("message_received").map((e) => e.message.text)).toEqual(["welcome"]);
    const history = await f.server.request("GET", `/api/chat/rooms/${room.id}/messages`, {
      token: bob.token,
    });
    expect(history.status).toBe(403);
  });

  it("subscribes a device to all its user's rooms on connect, and to a room the user is added to", async () => {
    const [alice, bob] = [await user(), await user()];
    const first = await createRoom(alice, { name: "One", type: "private", memberIds: [bob.id] });
    const bobSocket = await open(bob);
    await send(alice, first.id, "in one");
    await bobSocket.waitFor("message_received", (e) => e.message.text === "in one");

    const second = await createRoom(alice, { name: "Two", type: "private" });
    const added = await f.server.request("POST", `/api/chat/rooms/${second.id}/members`, {
      token: alice.token,
      body: { userId: bob.id },
    });
    expect(added.status).toBe(200);
    await bobSocket.waitFor("user_joined", (e) => e.roomId === second.id && e.userId === bob.id);
    await send(alice, second.id, "in two");
    await bobSocket.waitFor("message_received", (e) => e.message.text === "in two");

    // Only the owner adds members.
    const carol = await user();
    const byBob = await f.server.request("POST", `/api/chat/rooms/${second.id}/members`, {
      token: bob.token,
      body: { userId: carol.id },
    });
    expect(byBob.status).toBe(403);
  });

  it("lists a room's members with their presence", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Presence", type: "private", memberIds: [bob.id] });
    await open(alice);
    await eventually(async () => {
      const users = await f.server.request("GET", `/api/chat/rooms/${room.id}/users`, { token: bob.token });
      const status = Object.fromEntries(
        users.body.items.map((u: { userId: string; presence: { status: string } }) => [
          u.userId,
          u.presence.status,
        ]),
      );
      expect(status).toEqual({ [alice.id]: "online", [bob.id]: "offline" });
      expect(users.body.items.find((u: { userId: string }) => u.userId === alice.id).username).toBe(
        alice.username,
      );
    });
  });
});
