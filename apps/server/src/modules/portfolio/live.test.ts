import type { Portfolio } from "@softchat/contracts";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../../platform/context.js";
import { LivePortfolios } from "./live.js";

/** A node with sockets that connect by hand, prices that move by hand, and a count of valuations. */
function harness() {
  const connects: Array<(socket: { data: { userId: string } }) => void> = [];
  const sent: string[] = [];
  let price = 1n;
  const holdings = new Map<string, number>();
  const valued: string[] = [];
  const rounds: string[][] = [];
  const ctx = {
    realtime: {
      onConnect: (fn: (socket: { data: { userId: string } }) => void) => connects.push(fn),
      onDisconnect: () => {},
      connectionCount: async () => 1,
      emit: (room: string) => sent.push(room),
      io: { local: { to: (room: string) => ({ emit: () => sent.push(room) }) } },
    },
    logger: { warn: () => {} },
  } as unknown as AppContext;
  const live = new LivePortfolios(
    ctx,
    { currentMicros: () => price, micros: async () => price },
    async (userIds) => {
      rounds.push([...userIds]);
      const out = new Map<string, Portfolio>();
      for (const userId of userIds) {
        valued.push(userId);
        const n = holdings.get(userId) ?? 0;
        out.set(userId, {
          userId,
          holdings: n > 0 ? [{ asset: "BTC", quantity: String(n), value: String(price) }] : [],
          totals: { value: String(price * BigInt(n)) },
        } as unknown as Portfolio);
      }
      return out;
    },
    60_000,
  );
  live.install();
  return {
    live,
    valued,
    rounds,
    sent,
    holdings,
    connect: (userId: string) => {
      for (const fn of connects) fn({ data: { userId } });
    },
    movePrice: () => {
      price += 1n;
    },
  };
}

describe("live portfolios on price moves", () => {
  it("values a connected user who holds nothing once, then skips it until its holdings change", async () => {
    const h = harness();
    h.holdings.set("trader", 2);
    h.connect("trader");
    h.connect("reader");
    await h.live.tick();
    expect(h.valued.sort()).toEqual(["reader", "trader"]);
    expect(h.sent).toEqual(["user:trader"]);

    h.valued.length = 0;
    h.movePrice();
    await h.live.tick();
    expect(h.valued).toEqual(["trader"]);

    // The reader buys something: the next price move values (and sends) its portfolio again.
    h.holdings.set("reader", 1);
    h.live.holdingsChanged("reader");
    h.valued.length = 0;
    h.sent.length = 0;
    h.movePrice();
    await h.live.tick();
    expect(h.valued.sort()).toEqual(["reader", "trader"]);
    expect(h.sent.sort()).toEqual(["user:reader", "user:trader"]);
    await h.live.stop();
  });

  it("values the users whose holdings changed together, at most one round a second", async () => {
    const h = harness();
    h.live.holdingsChanged("a");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.rounds).toEqual([["a"]]);
    // Changes inside the next second wait for one round between them.
    h.live.holdingsChanged("b");
    h.live.holdingsChanged("c");
    h.live.holdingsChanged("b");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.rounds).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(h.rounds).toEqual([["a"], ["b", "c"]]);
    expect(h.sent).toEqual(["user:a", "user:b", "user:c"]);
    await h.live.stop();
  });
});
