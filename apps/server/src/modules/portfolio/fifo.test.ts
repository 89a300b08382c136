import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Activity,
  type ActivityKind,
  applyActivities,
  type Lot,
  prorate,
  realizedGain,
} from "./fifo.js";

const BTC = 100_000_000n; // minor units per BTC
let position = 0n;

function act(kind: ActivityKind, quantity: bigint, usdCents: bigint | null, day: number): Activity {
  position += 1n;
  return {
    id: `a${position}`,
    asset: "BTC",
    kind,
    quantity,
    usdCents,
    occurredAt: new Date(Date.UTC(2025, 0, day)),
    position,
  };
}

describe("FIFO lots", () => {
  it("buying BTC in two lots at different prices then selling part realizes the gain of the oldest lot first", () => {
    const buy1 = act("buy", 1n * BTC, 6_000_000n, 1); // 1 BTC for $60,000.00
    const buy2 = act("buy", 1n * BTC, 7_000_000n, 2); // 1 BTC for $70,000.00
    const sell = act("sell", (3n * BTC) / 2n, 10_500_000n, 3); // 1.5 BTC for $105,000.00
    const { lots, disposals } = applyActivities([], [buy1, buy2, sell]);

    expect(disposals.map((d) => [d.lotId, d.quantity, d.cost, d.proceeds])).toEqual([
      [buy1.id, 1n * BTC, 6_000_000n, 7_000_000n],
      [buy2.id, BTC / 2n, 3_500_000n, 3_500_000n],
    ]);
    // $105,000 − ($60,000 + half of $70,000) = $10,000.00
    expect(realizedGain(disposals)).toBe(1_000_000n);
    const open = lots.filter((l) => l.closedAt === null);
    expect(open).toMatchObject([{ id: buy2.id, remainingQuantity: BTC / 2n, remainingCost: 3_500_000n }]);
    expect(lots.find((l) => l.id === buy1.id)?.closedAt).toEqual(sell.occurredAt);
  });

  it("selling below cost realizes a loss", () => {
    const buy = act("buy", 2n * BTC, 12_000_000n, 1);
    const sell = act("sell", 1n * BTC, 5_000_000n, 2);
    const { disposals } = applyActivities([], [buy, sell]);
    expect(realizedGain(disposals)).toBe(-1_000_000n);
  });

  it("cutting a lot in thirds keeps every cent of its cost", () => {
    const buy = act("buy", 3n, 100n, 1);
    const sells = [act("sell", 1n, 50n, 2), act("sell", 1n, 50n, 3), act("sell", 1n, 50n, 4)];
    const { disposals, lots } = applyActivities([], [buy, ...sells]);
    expect(disposals.map((d) => d.cost)).toEqual([33n, 34n, 33n]);
    expect(lots[0]).toMatchObject({ remainingQuantity: 0n, remainingCost: 0n });
    expect(realizedGain(disposals)).toBe(50n);
  });

  it("a sale spanning lots splits its proceeds by quantity without losing a cent", () => {
    const lotsIn = [act("buy", 1n, 10n, 1), act("buy", 1n, 10n, 2), act("buy", 1n, 10n, 3)];
    const { disposals } = applyActivities([], [...lotsIn, act("sell", 3n, 100n, 4)]);
    expect(disposals.map((d) => d.proceeds)).toEqual([33n, 34n, 33n]);
  });

  it("the part of a sale no lot covers has an unknown cost and realizes nothing", () => {
    const buy = act("buy", 1n * BTC, 6_000_000n, 1);
    const sell = act("sell", 2n * BTC, 14_000_000n, 2);
    const { disposals } = applyActivities([], [buy, sell]);
    expect(disposals).toMatchObject([
      { lotId: buy.id, quantity: 1n * BTC, cost: 6_000_000n, proceeds: 7_000_000n },
      { lotId: null, quantity: 1n * BTC, cost: null, proceeds: 7_000_000n },
    ]);
    expect(realizedGain(disposals)).toBe(1_000_000n);
  });

  it("a withdrawal takes the oldest lot at cost and realizes nothing", () => {
    const deposit = act("deposit", 1n * BTC, 6_000_000n, 1);
    const buy = act("buy", 1n * BTC, 7_000_000n, 2);
    const out = act("withdrawal", 1n * BTC, null, 3);
    const sell = act("sell", 1n * BTC, 8_000_000n, 4);
    const { disposals } = applyActivities([], [deposit, buy, out, sell]);
    expect(disposals).toMatchObject([
      { kind: "outflow", lotId: deposit.id, cost: 6_000_000n, proceeds: null },
      { kind: "sale", lotId: buy.id, cost: 7_000_000n, proceeds: 8_000_000n },
    ]);
    expect(realizedGain(disposals)).toBe(1_000_000n);
  });

  it("prorates half up", () => {
    expect(prorate(100n, 1n, 3n)).toBe(33n);
    expect(prorate(67n, 1n, 2n)).toBe(34n);
    expect(prorate(5n, 5n, 5n)).toBe(5n);
  });
});

const kinds: ActivityKind[] = ["buy", "sell", "deposit", "transfer_in", "transfer_out", "withdrawal"];
const activityArb = fc.record({
  kind: fc.constantFrom(...kinds),
  quantity: fc.bigInt({ min: 1n, max: 10n ** 12n }),
  cents: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  asset: fc.constantFrom("BTC" as const, "ETH" as const),
});

type ActivitySpec = typeof activityArb extends fc.Arbitrary<infer T> ? T : never;

function activities(specs: ActivitySpec[]): Activity[] {
  return specs.map((s, i) => ({
    id: `p${i}`,
    asset: s.asset,
    kind: s.kind,
    quantity: s.quantity,
    usdCents: s.kind === "transfer_out" || s.kind === "withdrawal" ? null : s.cents,
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
    position: BigInt(i),
  }));
}

/** Every lot in its latest state: those the second result changed override the first's. */
function merge(first: Lot[], second: Lot[]): Lot[] {
  const all = new Map(first.map((l) => [l.id, l]));
  for (const l of second) all.set(l.id, l);
  return [...all.values()].sort((a, b) => a.id.localeCompare(b.id));
}

describe("FIFO lots, for any sequence of activities", () => {
  it("conserve quantity and cost: what was bought is either still held or was disposed of, to the cent", () => {
    fc.assert(
      fc.property(fc.array(activityArb, { maxLength: 40 }), (specs) => {
        const list = activities(specs);
        const { lots, disposals } = applyActivities([], list);
        for (const asset of ["BTC", "ETH"] as const) {
          const mine = lots.filter((l) => l.asset === asset);
          const sold = disposals.filter((d) => d.asset === asset && d.lotId !== null);
          const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
          expect(sum(mine.map((l) => l.quantity))).toBe(
            sum(mine.map((l) => l.remainingQuantity)) + sum(sold.map((d) => d.quantity)),
          );
          expect(sum(mine.map((l) => l.cost))).toBe(
            sum(mine.map((l) => l.remainingCost)) + sum(sold.map((d) => d.cost ?? 0n)),
          );
          // Every sale's parts add up to exactly its quantity and proceeds.
          for (const a of list.filter((x) => x.asset === asset && x.kind === "sell")) {
            const parts = disposals.filter((d) => d.activityId === a.id);
            expect(sum(parts.map((d) => d.quantity))).toBe(a.quantity);
            expect(sum(parts.map((d) => d.proceeds ?? 0n))).toBe(a.usdCents);
          }
        }
      }),
    );
  });

  it("applying a history in two steps from the stored open lots gives what applying it at once gives", () => {
    fc.assert(
      fc.property(fc.array(activityArb, { maxLength: 30 }), fc.nat(30), (specs, cut) => {
        const list = activities(specs);
        const at = Math.min(cut, list.length);
        const once = applyActivities([], list);
        const first = applyActivities([], list.slice(0, at));
        const second = applyActivities(
          first.lots.filter((l) => l.closedAt === null),
          list.slice(at),
        );
        expect(merge(first.lots, second.lots)).toEqual(merge(once.lots, []));
        expect([...first.disposals, ...second.disposals]).toEqual(once.disposals);
      }),
    );
  });

  it("close lots in the order they were opened", () => {
    fc.assert(
      fc.property(fc.array(activityArb, { maxLength: 40 }), (specs) => {
        const { lots, disposals } = applyActivities([], activities(specs));
        const openedAt = new Map(lots.map((l) => [l.id, l.openPosition]));
        for (const asset of ["BTC", "ETH"]) {
          const order = disposals
            .filter((d) => d.asset === asset && d.lotId !== null)
            .map((d) => openedAt.get(d.lotId ?? "") ?? -1n);
          expect(order).toEqual([...order].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        }
      }),
    );
  });
});
