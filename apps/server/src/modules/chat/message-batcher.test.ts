import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TestUser } from "../../../test/factories.js";
import { engines, eventually } from "../../../test/harness.js";
import { useChatFixture } from "./chat-fixture.js";
import { sendMessage } from "./service.js";

/** Sends from several users in the same tick: they are written by one batch. */
function sendTogether(
  platform: Parameters<typeof sendMessage>[0],
  roomId: string,
  sends: Array<{ from: TestUser; text: string; clientId?: string }>,
) {
  return Promise.allSettled(
    sends.map((s) =>
      sendMessage(platform, { userId: s.from.id, role: "user" }, roomId, {
        text: s.text,
        clientId: s.clientId,
      }),
    ),
  );
}

describe.each(engines)("chat group commit (%s)", (engine) => {
  const f = useChatFixture(engine);
  const { user, open, createRoom } = f;
  const history = async (viewer: TestUser, roomId: string) =>
    (await f.server.request("GET", `/api/chat/rooms/${roomId}/messages?limit=50`, { token: viewer.token }))
      .body.items as Array<{ id: string; text: string }>;

  it("a send the database refuses fails alone: the others of its batch are stored and delivered once, in order", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Batch", type: "private", memberIds: [bob.id] });
    const bobSocket = await open(bob);

    // 5,000 characters passes no schema here (the service is called directly): the database's CHECK refuses it.
    const results = await sendTogether(f.server.platform, room.id, [
      { from: alice, text: "one" },
      { from: bob, text: "two" },
      { from: alice, text: "x".repeat(5000) },
      { from: bob, text: "three" },
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);

    await bobSocket.waitFor("message_received", (e) => e.message.text === "three");
    await f.send(alice, room.id, "barrier");
    await bobSocket.waitFor("message_received", (e) => e.message.text === "barrier");
    expect(bobSocket.events("message_received").map((e) => e.message.text)).toEqual([
      "one",
      "two",
      "three",
      "barrier",
    ]);
    expect((await history(bob, room.id)).map((m) => m.text)).toEqual(["barrier", "three", "two", "one"]);
  });

  it("the same clientId twice in one batch stores and sends one message, and both sends get it back", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Twice", type: "private", memberIds: [bob.id] });
    const bobSocket = await open(bob);
    const clientId = randomUUID();

    const results = await sendTogether(f.server.platform, room.id, [
      { from: alice, text: "once", clientId },
      { from: bob, text: "reply" },
      { from: alice, text: "once", clientId },
    ]);
    const [first, , repeat] = results.map((r) => (r.status === "fulfilled" ? r.value : null));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(repeat).toEqual(first);
    // A later batch with the same clientId gets the stored message too.
    const [later] = await sendTogether(f.server.platform, room.id, [{ from: alice, text: "once", clientId }]);
    expect(later?.status === "fulfilled" && later.value).toEqual(first);

    await f.send(alice, room.id, "barrier");
    await bobSocket.waitFor("message_received", (e) => e.message.text === "barrier");
    expect(bobSocket.events("message_received").map((e) => e.message.text)).toEqual([
      "once",
      "reply",
      "barrier",
    ]);
    expect((await history(bob, room.id)).map((m) => m.text)).toEqual(["barrier", "reply", "once"]);
  });

  it("a non-member's send is refused alone, and its room never hears of it", async () => {
    const [alice, bob, eve] = [await user(), await user(), await user()];
    const room = await createRoom(alice, { name: "Closed", type: "private", memberIds: [bob.id] });
    const bobSocket = await open(bob);

    const results = await sendTogether(f.server.platform, room.id, [
      { from: eve, text: "let me in" },
      { from: alice, text: "members only" },
    ]);
    expect(results[0]?.status).toBe("rejected");
    expect(results[0]?.status === "rejected" && results[0].reason).toMatchObject({ code: "not_a_member" });
    expect(results[1]?.status).toBe("fulfilled");

    await f.send(alice, room.id, "barrier");
    await bobSocket.waitFor("message_received", (e) => e.message.text === "barrier");
    expect(bobSocket.events("message_received").map((e) => e.message.text)).toEqual([
      "members only",
      "barrier",
    ]);
  });
  it("a member who left cannot get a message back by resending its clientId, and a missing room is not found", async () => {
    const [alice, bob] = [await user(), await user()];
    const room = await createRoom(alice, { name: "Left", type: "private", memberIds: [bob.id] });
    const clientId = randomUUID();
    const [sent] = await sendTogether(f.server.platform, room.id, [{ from: bob, text: "before", clientId }]);
    expect(sent?.status).toBe("fulfilled");
    const left = await f.server.request("POST", `/api/chat/rooms/${room.id}/leave`, { token: bob.token });
    expect(left.status).toBe(204);

    const results = await Promise.allSettled([
      sendMessage(f.server.platform, { userId: bob.id, role: "user" }, room.id, { text: "before", clientId }),
      sendMessage(f.server.platform, { userId: alice.id, role: "user" }, randomUUID(), { text: "nowhere" }),
      sendMessage(f.server.platform, { userId: alice.id, role: "user" }, room.id, { text: "still here" }),
    ]);
    expect(
      results.map((r) => (r.status === "rejected" ? (r.reason as { code: string }).code : "ok")),
    ).toEqual(["not_a_member", "not_found", "ok"]);
    expect((await history(alice, room.id)).map((m) => m.text)).toEqual(["still here", "before"]);
  });
  it("senders writing at once: each message stored once, seqs unique, and every member gets each sender's messages once, in the order sent", async () => {
    const senders = [await user(), await user(), await user(), await user()];
    const [owner, ...others] = senders as [TestUser, ...TestUser[]];
    const reader = await user();
    const room = await createRoom(owner, {
      name: "Busy",
      type: "private",
      memberIds: [...others.map((u) => u.id), reader.id],
    });
    const readerSocket = await open(reader);
    const PER_SENDER = 25;

    // Each sender sends one message after the other; the four senders run at the same time, so their sends
    // share batches, and on PostgreSQL batches run side by side on the same room.
    await Promise.all(
      senders.map(async (from, s) => {
        for (let i = 0; i < PER_SENDER; i++) {
          await sendMessage(f.server.platform, { userId: from.id, role: "user" }, room.id, {
            text: `${s}:${i}`,
            clientId: randomUUID(),
          });
        }
      }),
    );

    const total = senders.length * PER_SENDER;
    await eventually(() => expect(readerSocket.events("message_received")).toHaveLength(total), 10_000);
    const live = readerSocket.events("message_received").map((e) => e.message);
    expect(new Set(live.map((m) => m.id)).size).toBe(total);
    expect(new Set(live.map((m) => m.seq)).size).toBe(total);
    for (let s = 0; s < senders.length; s++) {
      const mine = live.filter((m) => m.text.startsWith(`${s}:`));
      expect(mine.map((m) => m.text)).toEqual(Array.from({ length: PER_SENDER }, (_, i) => `${s}:${i}`));
      // Seq order agrees with the order each sender wrote in.
      const seqs = mine.map((m) => BigInt(m.seq));
      expect(seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] as bigint))).toBe(true);
    }
    const stored = await f.server.platform.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM chat_messages WHERE room_id = $1",
      [room.id],
    );
    expect(stored.rows[0]?.n).toBe(String(total));
  });
});
