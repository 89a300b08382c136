import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { emitAfterCommit } from "../../src/platform/outbox/index.js";
import { createUser } from "../factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { connectSocket, okData, refusalOf, type TestSocket } from "./socket-client.js";

describe.each(engines)("socket gateway (%s)", (engine) => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  const open = async (token: string | undefined) => {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startTestServer(engine, {
      SOCKET_MAX_CONNECTIONS_PER_USER: "2",
      RATE_LIMIT_SOCKET: "5/1m",
    });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server.close();
  });

  it("refuses a connection without a token, or with a forged one, as unauthenticated", async () => {
    const missing = await refusalOf(server.url, undefined);
    expect(missing.message).toBe("unauthenticated");
    expect(missing.data).toMatchObject({ code: "unauthenticated" });

    const forged = await refusalOf(server.url, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
    expect(forged.message).toBe("unauthenticated");
  });

  it("refuses a user's connection beyond SOCKET_MAX_CONNECTIONS_PER_USER with too_many_connections", async () => {
    const alice = await createUser(server.platform);
    await open(alice.token);
    const second = await open(alice.token);
    const third = await refusalOf(server.url, alice.token);
    expect(third.message).toBe("too_many_connections");
    expect(third.data).toMatchObject({ code: "too_many_connections" });

    // Another user is not affected, and a closed connection frees its place.
    const bob = await createUser(server.platform);
    await open(bob.token);
    second.close();
    await eventually(async () => {
      const again = await connectSocket(server.url, alice.token);
      sockets.push(again);
    });
  });

  it("delivers an event committed for a user to every device of that user, and to nobody else", async () => {
    const alice = await createUser(server.platform);
    const bob = await createUser(server.platform);
    const [phone, laptop, other] = [await open(alice.token), await open(alice.token), await open(bob.token)];

    await server.platform.db.transaction(async (tx) => {
      await emitAfterCommit(server.platform.outbox, tx, {
        rooms: [`user:${alice.id}`],
        event: "balance_update",
        data: { asset: "USD", available: "1.00", pending: "0.00", total: "1.00" },
      });
    });

    await phone.waitFor("balance_update");
    await laptop.waitFor("balance_update");
    expect(other.events("balance_update")).toEqual([]);
  });

  it("never delivers an event whose transaction rolled back", async () => {
    const alice = await createUser(server.platform);
    const phone = await open(alice.token);
    await expect(
      server.platform.db.transaction(async (tx) => {
        await emitAfterCommit(server.platform.outbox, tx, {
          rooms: [`user:${alice.id}`],
          event: "transfer_update",
          data: { transferId: "rolled-back", status: "completed" },
        });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    await server.platform.db.transaction(async (tx) => {
      await emitAfterCommit(server.platform.outbox, tx, {
        rooms: [`user:${alice.id}`],
        event: "transfer_update",
        data: { transferId: "committed", status: "completed" },
      });
    });
    await phone.waitFor("transfer_update", (e) => e.transferId === "committed");
    expect(phone.events("transfer_update").map((e) => e.transferId)).toEqual(["committed"]);
  });

  it("answers a malformed payload with validation_failed and keeps the socket connected", async () => {
    const alice = await createUser(server.platform);
    const s = await open(alice.token);
    const ack = await s.raw("send_message", { roomId: "not-a-uuid", text: "" });
    expect(ack.ok).toBe(false);
    if (!ack.ok) {
      expect(ack.error.code).toBe("validation_failed");
      expect(JSON.stringify(ack.error.details)).toContain("roomId");
    }
    const noPayload = await s.raw("join_room");
    expect(noPayload.ok ? "ok" : noPayload.error.code).toBe("validation_failed");
    const unknown = await s.raw("no_such_event", {});
    expect(unknown.ok ? "ok" : unknown.error.code).toBe("not_found");
    expect(s.socket.connected).toBe(true);
  });

  it("refuses events over the per-socket rate with rate_limited, tells the client when to retry, stays up", async () => {
    const alice = await createUser(server.platform);
    const s = await open(alice.token);
    const acks = [];
    for (let i = 0; i < 6; i++) acks.push(await s.request("update_presence", { status: "online" }));
    expect(acks.slice(0, 5).every((a) => a.ok)).toBe(true);
    const refused = acks[5];
    expect(refused?.ok).toBe(false);
    if (refused && !refused.ok) expect(refused.error.code).toBe("rate_limited");
    const notice = await s.waitFor("rate_limited");
    expect(notice.event).toBe("update_presence");
    expect(notice.retryAfterMs).toBeGreaterThan(0);
    expect(s.socket.connected).toBe(true);

    // The allowance is per socket: the same user's other device still has its own.
    const other = await open(alice.token);
    okData(await other.request("update_presence", { status: "online" }));
  });

  it("counts and times socket events in /metrics", async () => {
    const alice = await createUser(server.platform);
    const s = await open(alice.token);
    okData(await s.request("update_presence", { status: "away" }));
    const metrics = await server.request("GET", "/metrics");
    expect(String(metrics.body)).toMatch(/socket_events_total\{event="update_presence",outcome="ok"\} \d+/);
    expect(String(metrics.body)).toMatch(/socket_connections \d+/);
  });

  it("sends the events one turn emits to a connection in order, in a single TCP write", async () => {
    const alice = await createUser(server.platform);
    const phone = await open(alice.token);
    const conn = [...server.platform.realtime.io.sockets.sockets.values()].find(
      (s) => s.data.userId === alice.id,
    )?.conn;
    if (!conn) throw new Error("alice's connection is not on this node");
    // The server's end of the WebSocket: every _write or _writev of a Node socket is one system call. Each
    // records how many of the balance updates it carried (other events, such as presence, may interleave).
    const tcp = (conn.transport as unknown as { socket: { _socket: Socket } }).socket._socket;
    const perWrite: number[] = [];
    const count = (chunks: unknown[]) =>
      chunks.reduce<number>((n, c) => n + (String(c).match(/balance_update/g)?.length ?? 0), 0);
    const write = tcp._write.bind(tcp);
    tcp._write = (chunk, encoding, cb) => {
      perWrite.push(count([chunk]));
      write(chunk, encoding, cb);
    };
    const writev = tcp._writev?.bind(tcp);
    tcp._writev = (chunks, cb) => {
      perWrite.push(count(chunks.map((c) => c.chunk)));
      writev?.(chunks, cb);
    };

    for (let i = 1; i <= 5; i++) {
      server.platform.realtime.emit(`user:${alice.id}`, "balance_update", {
        asset: "USD",
        available: `${i}.00`,
        pending: "0.00",
        total: `${i}.00`,
      });
    }

    await eventually(() => expect(phone.events("balance_update")).toHaveLength(5));
    expect(phone.events("balance_update").map((e) => e.available)).toEqual([
      "1.00",
      "2.00",
      "3.00",
      "4.00",
      "5.00",
    ]);
    expect(perWrite.filter((n) => n > 0)).toEqual([5]);
  });
});

describe.each(engines)("socket gateway limits (%s)", (engine) => {
  it("closes a socket that sends no event for SOCKET_IDLE_TIMEOUT_MS, and refuses connections over SOCKET_MAX_CONNECTIONS", async () => {
    const server = await startTestServer(engine, {
      SOCKET_IDLE_TIMEOUT_MS: "1000",
      SOCKET_MAX_CONNECTIONS: "2",
    });
    try {
      const [a, b, c] = [
        await createUser(server.platform),
        await createUser(server.platform),
        await createUser(server.platform),
      ];
      const busy = await connectSocket(server.url, a.token);
      const idle = await connectSocket(server.url, b.token);
      const refused = await refusalOf(server.url, c.token);
      expect(refused.message).toBe("too_many_connections");

      const keepAlive = setInterval(() => void busy.request("update_presence", { status: "online" }), 300);
      try {
        await eventually(() => expect(idle.socket.connected).toBe(false), 4000);
        expect(busy.socket.connected).toBe(true);
      } finally {
        clearInterval(keepAlive);
        busy.close();
        idle.close();
      }
    } finally {
      await server.close();
    }
  });
});

describe.each(engines)("socket gateway idle timeout (%s)", (engine) => {
  it("keeps a socket that only receives events open past SOCKET_IDLE_TIMEOUT_MS, and closes it once nothing flows either way", async () => {
    const server = await startTestServer(engine, { SOCKET_IDLE_TIMEOUT_MS: "1000" });
    try {
      const [writer, reader] = [await createUser(server.platform), await createUser(server.platform)];
      const created = await server.request("POST", "/api/chat/rooms", {
        token: writer.token,
        body: { name: "Readers", type: "private", memberIds: [reader.id] },
      });
      expect(created.status).toBe(201);
      const roomId = created.body.room.id as string;
      const listener = await connectSocket(server.url, reader.token);
      const post = () =>
        server.request("POST", `/api/chat/rooms/${roomId}/messages`, {
          token: writer.token,
          body: { text: "still here?" },
        });
      try {
        // 2.5 timeouts of a room that keeps talking to a reader who never says anything.
        const until = Date.now() + 2500;
        while (Date.now() < until) {
          expect((await post()).status).toBe(201);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        expect(listener.socket.connected).toBe(true);
        expect(listener.events("message_received").length).toBeGreaterThanOrEqual(5);
        await eventually(() => expect(listener.socket.connected).toBe(false), 4000);
      } finally {
        listener.close();
      }
    } finally {
      await server.close();
    }
  });
});
