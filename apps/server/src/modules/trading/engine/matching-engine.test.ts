import { describe, expect, it } from "vitest";
import { MatchingEngine } from "./matching-engine.js";
import type { EngineEvent, FillEvent, LimitOrderCommand, MarketOrderCommand } from "./types.js";

let counter = 0;
const limit = (
  side: "buy" | "sell",
  price: number,
  quantity: number,
  extra: Partial<LimitOrderCommand> = {},
) =>
  ({
    type: "limit",
    id: `o${++counter}`,
    owner: "alice",
    side,
    price,
    quantity,
    ...extra,
  }) as LimitOrderCommand;
const market = (side: "buy" | "sell", quantity: number, extra: Partial<MarketOrderCommand> = {}) =>
  ({ type: "market", id: `m${++counter}`, owner: "bob", side, quantity, ...extra }) as MarketOrderCommand;
const fills = (events: EngineEvent[]) => events.filter((e): e is FillEvent => e.type === "fill");
const last = (events: EngineEvent[]) => events[events.length - 1];

describe("matching engine: limit orders", () => {
  it("a crossing sell trades with the resting buy at the maker's price", () => {
    const engine = new MatchingEngine();
    const maker = limit("buy", 105, 10);
    engine.execute(maker);
    const events = engine.execute(limit("sell", 100, 4, { owner: "bob" }));
    expect(events.map((e) => e.type)).toEqual(["accepted", "fill", "done"]);
    expect(fills(events)[0]).toMatchObject({
      makerOrderId: maker.id,
      price: 105,
      quantity: 4,
      makerRemaining: 6,
    });
    expect(engine.depth()).toEqual({ bids: [[105, 6]], asks: [] });
  });

  it("fills the better price first, then the older order at the same price", () => {
    const engine = new MatchingEngine();
    const first = limit("sell", 101, 5);
    const second = limit("sell", 101, 5);
    const better = limit("sell", 100, 5);
    for (const c of [first, second, better]) engine.execute(c);
    const events = engine.execute(limit("buy", 101, 12, { owner: "bob" }));
    expect(fills(events).map((f) => [f.makerOrderId, f.price, f.quantity])).toEqual([
      [better.id, 100, 5],
      [first.id, 101, 5],
      [second.id, 101, 2],
    ]);
    expect(engine.order(second.id)?.remaining).toBe(3);
  });

  it("a GTC order rests what it cannot fill at its limit price", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("sell", 100, 3));
    const taker = limit("buy", 100, 10, { owner: "bob" });
    const events = engine.execute(taker);
    expect(last(events)).toMatchObject({ type: "done", filled: 3, resting: 7, canceled: 0 });
    expect(engine.depth()).toEqual({ bids: [[100, 7]], asks: [] });
  });

  it("an IOC order fills what it can and cancels the rest without resting", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("sell", 100, 3));
    const events = engine.execute(limit("buy", 100, 10, { owner: "bob", timeInForce: "IOC" }));
    expect(events.map((e) => e.type)).toEqual(["accepted", "fill", "canceled", "done"]);
    expect(events[2]).toMatchObject({ quantity: 7, reason: "immediate_or_cancel", resting: false });
    expect(engine.depth()).toEqual({ bids: [], asks: [] });
  });

  it("a FOK order that cannot fill completely is rejected and trades nothing", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("sell", 100, 3));
    engine.execute(limit("sell", 102, 5));
    const events = engine.execute(limit("buy", 101, 4, { owner: "bob", timeInForce: "FOK" }));
    expect(events).toEqual([expect.objectContaining({ type: "rejected", reason: "fok_unfillable" })]);
    expect(engine.depth().asks).toEqual([
      [100, 3],
      [102, 5],
    ]);
  });

  it("a FOK order that can fill completely sweeps several levels", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("sell", 100, 3));
    engine.execute(limit("sell", 102, 5));
    const events = engine.execute(limit("buy", 102, 8, { owner: "bob", timeInForce: "FOK" }));
    expect(last(events)).toMatchObject({ filled: 8, resting: 0, canceled: 0 });
    expect(engine.size).toBe(0);
  });

  it("a post-only order rests when it does not cross and is rejected when it would", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("sell", 100, 3));
    expect(last(engine.execute(limit("buy", 99, 1, { postOnly: true, owner: "bob" })))).toMatchObject({
      type: "done",
      resting: 1,
    });
    const events = engine.execute(limit("buy", 100, 1, { postOnly: true, owner: "bob" }));
    expect(events).toEqual([expect.objectContaining({ type: "rejected", reason: "post_only_would_cross" })]);
    expect(engine.depth().asks).toEqual([[100, 3]]);
  });

  it("rejects bad numbers and a second order with a resting order's id", () => {
    const engine = new MatchingEngine();
    const resting = limit("buy", 100, 1);
    engine.execute(resting);
    const reasons = [
      limit("buy", 100, 0),
      limit("buy", 100, 1.5),
      limit("buy", 0, 1),
      limit("buy", 2 ** 53, 1),
      limit("buy", -5, 1),
      { ...resting },
    ].map((c) => engine.execute(c)[0]);
    expect(reasons.map((e) => e?.type === "rejected" && e.reason)).toEqual([
      "invalid_quantity",
      "invalid_quantity",
      "invalid_price",
      "invalid_price",
      "invalid_price",
      "duplicate_order_id",
    ]);
  });

  it("refuses an order that would push a level's total past 2^53", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("buy", 100, Number.MAX_SAFE_INTEGER - 10));
    expect(engine.execute(limit("buy", 100, 11))[0]).toMatchObject({ reason: "level_overflow" });
    expect(engine.execute(limit("buy", 100, 10))[0]).toMatchObject({ type: "accepted" });
  });
});

describe("matching engine: market orders", () => {
  it("a market buy sweeps the asks up to the protection band and cancels the rest", () => {
    const engine = new MatchingEngine({ marketProtectionBps: 500 });
    engine.execute(limit("sell", 1000, 2));
    engine.execute(limit("sell", 1050, 2));
    engine.execute(limit("sell", 1051, 2));
    const events = engine.execute(market("buy", 10));
    expect(fills(events).map((f) => [f.price, f.quantity])).toEqual([
      [1000, 2],
      [1050, 2],
    ]);
    expect(events.find((e) => e.type === "canceled")).toMatchObject({
      quantity: 6,
      reason: "price_protection",
    });
    expect(engine.depth().asks).toEqual([[1051, 2]]);
  });

  it("a market sell uses an explicit protection price when given", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("buy", 1000, 2));
    engine.execute(limit("buy", 999, 2));
    const events = engine.execute(market("sell", 4, { protectionPrice: 1000 }));
    expect(last(events)).toMatchObject({ filled: 2, canceled: 2 });
  });

  it("a market buy stops when its funds bound is spent", () => {
    const engine = new MatchingEngine();
    engine.execute(limit("sell", 100, 5));
    engine.execute(limit("sell", 101, 5));
    // 5 × 100 + 3 × 101 = 803 tick-lots fit in 850; a fourth lot at 101 would not.
    const events = engine.execute(market("buy", 10, { maxQuote: 850n }));
    expect(fills(events).map((f) => [f.price, f.quantity])).toEqual([
      [100, 5],
      [101, 3],
    ]);
    expect(events.find((e) => e.type === "canceled")).toMatchObject({
      quantity: 2,
      reason: "funds_exhausted",
    });
  });

  it("a market order on an empty side is rejected; one that empties the side cancels its rest", () => {
    const engine = new MatchingEngine();
    expect(engine.execute(market("buy", 1))[0]).toMatchObject({ type: "rejected", reason: "no_liquidity" });
    engine.execute(limit("sell", 100, 1));
    const events = engine.execute(market("buy", 3));
    expect(events.find((e) => e.type === "canceled")).toMatchObject({ quantity: 2, reason: "no_liquidity" });
  });
});

describe("matching engine: cancel", () => {
  it("a cancel takes the order off the book; a second cancel is rejected", () => {
    const engine = new MatchingEngine();
    const order = limit("buy", 100, 4);
    engine.execute(order);
    expect(engine.cancel(order.id)).toEqual([
      expect.objectContaining({ type: "canceled", quantity: 4, reason: "user", resting: true }),
    ]);
    expect(engine.depth().bids).toEqual([]);
    expect(engine.execute({ type: "cancel", id: order.id })[0]).toMatchObject({ reason: "unknown_order" });
  });

  it("cancelling from the middle of a level keeps the others in time order", () => {
    const engine = new MatchingEngine();
    const [a, b, c] = [limit("sell", 100, 1), limit("sell", 100, 2), limit("sell", 100, 3)];
    for (const o of [a, b, c]) engine.execute(o);
    engine.cancel(b.id);
    const events = engine.execute(limit("buy", 100, 4, { owner: "bob" }));
    expect(fills(events).map((f) => f.makerOrderId)).toEqual([a.id, c.id]);
  });
});

describe("matching engine: self-trade prevention", () => {
  const setup = () => {
    const engine = new MatchingEngine();
    const other = limit("sell", 100, 2, { owner: "bob" });
    const own = limit("sell", 100, 2, { owner: "alice" });
    const after = limit("sell", 101, 2, { owner: "carol" });
    for (const o of [other, own, after]) engine.execute(o);
    return { engine, other, own, after };
  };

  it("by default cancels the incoming order at its own resting order, keeping earlier fills", () => {
    const { engine, own } = setup();
    const events = engine.execute(limit("buy", 101, 5, { owner: "alice" }));
    expect(fills(events).map((f) => f.quantity)).toEqual([2]);
    expect(events.find((e) => e.type === "canceled")).toMatchObject({ quantity: 3, reason: "self_trade" });
    expect(engine.order(own.id)?.remaining).toBe(2);
  });

  it("cancel_maker cancels the own resting order and keeps matching", () => {
    const { engine, own, after } = setup();
    const events = engine.execute(limit("buy", 101, 5, { owner: "alice", stp: "cancel_maker" }));
    expect(events.find((e) => e.type === "canceled")).toMatchObject({ orderId: own.id, resting: true });
    expect(fills(events).map((f) => [f.makerOrderId, f.quantity])).toContainEqual([after.id, 2]);
    expect(last(events)).toMatchObject({ filled: 4, resting: 1 });
    expect(engine.order(own.id)).toBeUndefined();
  });

  it("cancel_both cancels the own resting order and the incoming order", () => {
    const { engine, own } = setup();
    const events = engine.execute(limit("buy", 101, 5, { owner: "alice", stp: "cancel_both" }));
    const canceled = events
      .filter((e) => e.type === "canceled")
      .map((e) => e.type === "canceled" && e.orderId);
    expect(canceled).toEqual([own.id, expect.any(String)]);
    expect(last(events)).toMatchObject({ filled: 2, resting: 0, canceled: 3 });
  });

  it("a FOK order counts its own resting orders as unavailable", () => {
    const { engine } = setup();
    const events = engine.execute(limit("buy", 101, 4, { owner: "alice", timeInForce: "FOK" }));
    expect(events[0]).toMatchObject({ type: "rejected", reason: "fok_unfillable" });
    const skipping = engine.execute(
      limit("buy", 101, 4, { owner: "alice", timeInForce: "FOK", stp: "cancel_maker" }),
    );
    expect(last(skipping)).toMatchObject({ filled: 4 });
  });
});

describe("matching engine: snapshot and restore", () => {
  it("a book restored from its resting orders answers the next orders identically", () => {
    const engine = new MatchingEngine();
    for (const [side, price, qty, owner] of [
      ["buy", 99, 3, "a"],
      ["buy", 99, 4, "b"],
      ["sell", 101, 2, "c"],
      ["sell", 103, 5, "a"],
      ["buy", 98, 1, "c"],
    ] as const) {
      engine.execute({ type: "limit", id: `${side}${price}${owner}`, owner, side, price, quantity: qty });
    }
    const restored = MatchingEngine.restore(engine.restingOrders());
    expect(restored.depth()).toEqual(engine.depth());
    const next = market("sell", 6, { owner: "z" });
    expect(restored.execute(next)).toEqual(engine.execute(next));
    expect(restored.restingOrders()).toEqual(engine.restingOrders());
  });

  it("refuses to restore a list that would cross or repeats an id", () => {
    const order = { id: "x", owner: "a", side: "buy" as const, price: 100, remaining: 1 };
    expect(() => MatchingEngine.restore([order, { ...order, id: "y", side: "sell" }])).toThrow(/cross/);
    expect(() => MatchingEngine.restore([order, order])).toThrow(/duplicate/);
  });
});
