import { socketRooms } from "@softchat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInClient } from "../../../../packages/sdk/src/test/clients.js";
import { engines, eventually, startTestServer, type TestServer } from "../harness.js";
import { connectSocket, okData, type TestSocket } from "../realtime/socket-client.js";
import { accepted, orderWhen, trader } from "./helpers.js";

describe.each(engines)("live order book on %s", (engine) => {
  let server: TestServer;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  const snapshotOf = async (pairId: string) =>
    (await server.request("GET", `/api/crypto/orderbook/${pairId}`)).body;

  /** Makes every device of `userId` leave (or rejoin) a pair's room on the server: updates meanwhile are missed. */
  const setRoom = (userId: string, pairId: string, joined: boolean) => {
    const devices = server.platform.realtime.io.in(socketRooms.user(userId));
    if (joined) devices.socketsJoin(socketRooms.tradingPair(pairId));
    else devices.socketsLeave(socketRooms.tradingPair(pairId));
  };

  it("join_trading_room answers the snapshot; each change follows as the next seq with absolute quantities, 0 removing a level", async () => {
    const seller = await trader(server, { SOFT: "1000" });
    const buyer = await trader(server, { USD: "100.00" });
    const watcher = await connectSocket(server.url, buyer.token);
    sockets.push(watcher);
    const snapshot = okData(await watcher.request("join_trading_room", { pairId: "SOFT-USD" }));
    expect(snapshot).toMatchObject({ pairId: "SOFT-USD", bids: [], asks: [] });

    const ask = { pairId: "SOFT-USD", side: "sell", type: "limit", price: "0.1000", quantity: "100" };
    const first = await accepted(server, seller, ask);
    await watcher.waitFor("orderbook_update", (u) => u.asks.some(([p, q]) => p === "0.1000" && q === "100"));
    await accepted(server, seller, { ...ask, quantity: "50" });
    await watcher.waitFor("orderbook_update", (u) => u.asks.some(([p, q]) => p === "0.1000" && q === "150"));
    const taker = await accepted(server, buyer, { ...ask, side: "buy", quantity: "150" });
    await orderWhen(server, buyer, taker.id, (o) => o.status === "filled");
    await orderWhen(server, seller, first.id, (o) => o.status === "filled");
    await watcher.waitFor("orderbook_update", (u) => u.asks.some(([p, q]) => p === "0.1000" && q === "0"));

    const updates = watcher.events("orderbook_update").filter((u) => u.pairId === "SOFT-USD");
    expect(updates.map((u) => u.seq)).toEqual(updates.map((_, i) => snapshot.seq + 1 + i));
    const book = await snapshotOf("SOFT-USD");
    expect(book).toEqual({ pairId: "SOFT-USD", seq: updates.at(-1)?.seq, bids: [], asks: [] });
    // The taker met two resting orders: two trades at the maker's price, oldest maker first.
    await watcher.waitFor("trade", (t) => t.pairId === "SOFT-USD" && t.quantity === "50");
    expect(watcher.events("trade").map((t) => [t.price, t.quantity])).toEqual([
      ["0.1000", "100"],
      ["0.1000", "50"],
    ]);
  });

  it("a client that missed an update sees the gap in seq and the snapshot brings it back in line", async () => {
    const maker = await trader(server, { ETH: "2" });
    const watcher = await connectSocket(server.url, maker.token);
    sockets.push(watcher);
    const joined = okData(await watcher.request("join_trading_room", { pairId: "ETH-USD" }));
    const rest = { pairId: "ETH-USD", side: "sell", type: "limit", quantity: "0.01" };

    setRoom(maker.id, "ETH-USD", false);
    await accepted(server, maker, { ...rest, price: "3100.00" });
    await eventually(async () => expect((await snapshotOf("ETH-USD")).seq).toBeGreaterThan(joined.seq));
    setRoom(maker.id, "ETH-USD", true);
    await accepted(server, maker, { ...rest, price: "3200.00" });

    const next = await watcher.waitFor("orderbook_update", (u) => u.pairId === "ETH-USD");
    expect(next.seq).toBeGreaterThan(joined.seq + 1);
    // The client refetches: the snapshot holds the missed level too, and later deltas continue from it.
    const fresh = await eventually(async () => {
      const book = await snapshotOf("ETH-USD");
      expect(book.seq).toBeGreaterThanOrEqual(next.seq);
      return book;
    });
    expect(fresh.asks).toEqual(
      expect.arrayContaining([
        ["3100.00", "0.0100"],
        ["3200.00", "0.0100"],
      ]),
    );
  });

  it("the SDK's live order book resyncs from the snapshot after a gap and matches the server's book", async () => {
    const seller = await trader(server, { ETH: "2" });
    const { client, user } = await signedInClient(server);
    client.realtime.connect();
    try {
      const book = await client.realtime.joinTradingRoom("ETH-BTC");
      const order = { pairId: "ETH-BTC", side: "sell", type: "limit", quantity: "0.01" };
      await accepted(server, seller, { ...order, price: "0.050000" });
      await eventually(() => expect(book.view().asks).toContainEqual(["0.050000", "0.0100"]));
      expect(book.resyncCount).toBe(0);

      const before = book.view().seq;
      setRoom(user.id, "ETH-BTC", false);
      await accepted(server, seller, { ...order, price: "0.051000" });
      await eventually(async () => expect((await snapshotOf("ETH-BTC")).seq).toBeGreaterThan(before));
      setRoom(user.id, "ETH-BTC", true);
      await accepted(server, seller, { ...order, price: "0.052000", quantity: "0.02" });

      await eventually(async () => {
        const server_ = await snapshotOf("ETH-BTC");
        expect(book.resyncCount).toBeGreaterThanOrEqual(1);
        expect(book.view()).toEqual({
          pairId: "ETH-BTC",
          seq: server_.seq,
          bids: server_.bids,
          asks: server_.asks,
        });
      });
      expect(book.view().asks).toEqual([
        ["0.050000", "0.0100"],
        ["0.051000", "0.0100"],
        ["0.052000", "0.0200"],
      ]);
    } finally {
      client.realtime.reset();
    }
  });
});
