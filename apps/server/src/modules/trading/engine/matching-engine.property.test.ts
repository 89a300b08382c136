import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MatchingEngine } from "./matching-engine.js";
import type { EngineCommand, EngineEvent, RestingOrderState, Side } from "./types.js";

const OWNERS = ["alice", "bob", "carol"];

/** Random commands on a narrow price range so orders cross often; cancels aim at earlier ids. */
const commandsArb = fc
  .array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          type: fc.constant("limit" as const),
          owner: fc.constantFrom(...OWNERS),
          side: fc.constantFrom<Side>("buy", "sell"),
          price: fc.integer({ min: 95, max: 105 }),
          quantity: fc.integer({ min: 1, max: 20 }),
          timeInForce: fc.constantFrom("GTC" as const, "GTC" as const, "IOC" as const, "FOK" as const),
          postOnly: fc.boolean(),
          stp: fc.constantFrom("cancel_taker" as const, "cancel_maker" as const, "cancel_both" as const),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          type: fc.constant("market" as const),
          owner: fc.constantFrom(...OWNERS),
          side: fc.constantFrom<Side>("buy", "sell"),
          quantity: fc.integer({ min: 1, max: 30 }),
          maxQuote: fc.option(fc.bigInt({ min: 1n, max: 3000n }), { nil: undefined }),
          stp: fc.constantFrom("cancel_taker" as const, "cancel_maker" as const, "cancel_both" as const),
        }),
      },
      { weight: 2, arbitrary: fc.record({ type: fc.constant("cancel" as const), target: fc.nat(200) }) },
    ),
    { maxLength: 200 },
  )
  .map((raw) =>
    raw.map((c, i): EngineCommand => {
      if (c.type === "cancel") return { type: "cancel", id: `o${c.target % Math.max(i, 1)}` };
      return { ...c, id: `o${i}` };
    }),
  );

interface Ledger {
  quantity: number;
  side: Side;
  limit: number | null;
  filled: number;
  canceled: number;
}

/** Orders of the opposite side in the order they must be matched: best price first, then oldest first. */
function matchingQueue(before: RestingOrderState[], takerSide: Side): RestingOrderState[] {
  const time = new Map(before.map((o, i) => [o.id, i]));
  return before
    .filter((o) => o.side !== takerSide)
    .sort((a, b) => {
      if (a.price !== b.price) return takerSide === "buy" ? a.price - b.price : b.price - a.price;
      return (time.get(a.id) ?? 0) - (time.get(b.id) ?? 0);
    });
}

function run(commands: EngineCommand[], engine = new MatchingEngine()): EngineEvent[][] {
  return commands.map((c) => engine.execute(c));
}

describe("matching engine properties", () => {
  it("after any sequence of orders and cancels the book is never crossed and every lot is accounted for", () => {
    fc.assert(
      fc.property(commandsArb, (commands) => {
        const engine = new MatchingEngine();
        const ledger = new Map<string, Ledger>();
        for (const command of commands) {
          for (const e of engine.execute(command)) {
            if (e.type === "accepted") {
              ledger.set(e.orderId, {
                quantity: e.quantity,
                side: e.side,
                limit: e.price,
                filled: 0,
                canceled: 0,
              });
            } else if (e.type === "fill") {
              const maker = ledger.get(e.makerOrderId);
              const taker = ledger.get(e.takerOrderId);
              if (!maker || !taker) throw new Error("fill of an unknown order");
              maker.filled += e.quantity;
              taker.filled += e.quantity;
            } else if (e.type === "canceled") {
              const order = ledger.get(e.orderId);
              if (!order) throw new Error("cancel of an unknown order");
              order.canceled += e.quantity;
            }
          }
          const bid = engine.bestBid();
          const ask = engine.bestAsk();
          if (bid !== null && ask !== null) expect(bid).toBeLessThan(ask);
        }
        for (const [id, o] of ledger) {
          const resting = engine.order(id)?.remaining ?? 0;
          expect(o.filled + o.canceled + resting).toBe(o.quantity);
        }
        const depth = engine.depth();
        const total = (levels: Array<[number, number]>) => levels.reduce((s, [, q]) => s + q, 0);
        const restingTotal = engine.restingOrders().reduce((s, o) => s + o.remaining, 0);
        expect(total(depth.bids) + total(depth.asks)).toBe(restingTotal);
      }),
      { numRuns: 300 },
    );
  });

  it("every fill takes the best-priced, oldest resting order and respects both limit prices", () => {
    fc.assert(
      fc.property(commandsArb, (commands) => {
        const engine = new MatchingEngine();
        for (const command of commands) {
          const before = engine.restingOrders();
          const events = engine.execute(command);
          if (command.type === "cancel") continue;
          const queue = matchingQueue(before, command.side);
          const remaining = new Map(queue.map((o) => [o.id, o.remaining]));
          for (const e of events) {
            if (e.type === "fill") {
              const head = queue[0];
              expect(e.makerOrderId).toBe(head?.id);
              expect(e.price).toBe(head?.price);
              if (command.type === "limit") {
                if (command.side === "buy") expect(e.price).toBeLessThanOrEqual(command.price);
                else expect(e.price).toBeGreaterThanOrEqual(command.price);
              }
              const left = (remaining.get(e.makerOrderId) ?? 0) - e.quantity;
              expect(e.makerRemaining).toBe(left);
              remaining.set(e.makerOrderId, left);
              if (left === 0) queue.shift();
            } else if (e.type === "canceled" && e.resting) {
              // Only self-trade prevention cancels a maker during matching, and only the one at the head.
              expect(e.orderId).toBe(queue[0]?.id);
              expect(e.owner).toBe(command.owner);
              queue.shift();
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("replaying the same commands gives the same events, also on a book restored midway", () => {
    fc.assert(
      fc.property(commandsArb, fc.nat(), (commands, cut) => {
        const first = run(commands);
        expect(run(commands)).toEqual(first);
        const split = commands.length === 0 ? 0 : cut % commands.length;
        const engine = new MatchingEngine();
        run(commands.slice(0, split), engine);
        const restored = MatchingEngine.restore(engine.restingOrders());
        expect(run(commands.slice(split), restored)).toEqual(first.slice(split));
      }),
      { numRuns: 200 },
    );
  });
});
