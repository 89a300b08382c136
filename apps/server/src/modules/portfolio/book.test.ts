import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, engines, type TestDatabase } from "../../../test/harness.js";
import { recordActivities } from "./book.js";
import { lotSums } from "./queries.js";
import type { NewActivity } from "./repo.js";

const day = (d: number) => new Date(Date.UTC(2025, 2, d));
const activity = (sourceKey: string, a: Omit<NewActivity, "id" | "sourceKey" | "asset">): NewActivity => ({
  id: randomUUID(),
  sourceKey,
  asset: "BTC",
  ...a,
});

describe.each(engines)("portfolio book on %s", (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(async () => t?.cleanup());

  const newUser = async () => {
    const name = `book_${randomUUID().slice(0, 8)}`;
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'unusable') RETURNING id`,
      [`${name}@example.test`, name],
    );
    return rows[0]?.id ?? "";
  };
  const record = (userId: string, list: NewActivity[]) =>
    t.db.transaction((tx) => recordActivities(tx, userId, list));
  const disposals = async (userId: string) =>
    (
      await t.db.query<{ lot_id: string | null; cost_cents: string | null; proceeds_cents: string }>(
        "SELECT lot_id, cost_cents, proceeds_cents FROM portfolio_disposals WHERE user_id = $1 ORDER BY position, part",
        [userId],
      )
    ).rows;

  it("an activity that arrives late is applied in its place in time: the lots are replayed", async () => {
    const userId = await newUser();
    const cheap = activity("buy-cheap", { kind: "buy", quantity: 100n, usdCents: 1000n, occurredAt: day(1) });
    const dear = activity("buy-dear", { kind: "buy", quantity: 100n, usdCents: 3000n, occurredAt: day(3) });
    const sale = activity("sale", { kind: "sell", quantity: 100n, usdCents: 2000n, occurredAt: day(4) });
    expect(await record(userId, [dear])).toBe(true);
    expect(await record(userId, [sale])).toBe(true);
    // Sold before the cheaper, older lot was known: the dear lot closed at a loss of 10.00.
    expect(await disposals(userId)).toEqual([
      { lot_id: dear.id, cost_cents: "3000", proceeds_cents: "2000" },
    ]);

    expect(await record(userId, [cheap])).toBe(true);
    // FIFO over the true order: the sale takes the cheap lot, a gain of 10.00; the dear lot stays open.
    expect(await disposals(userId)).toEqual([
      { lot_id: cheap.id, cost_cents: "1000", proceeds_cents: "2000" },
    ]);
    expect(await lotSums(t.db, userId)).toEqual([
      { asset: "BTC", lotQuantity: 100n, lotCost: 3000n, realized: 1000n },
    ]);
  });

  it("sales take from the oldest open lots, however many are open and however they are batched", async () => {
    const userId = await newUser();
    // Five lots of 10 (costs 100, 200, ... 500), recorded one by one, as a trader buying again and again.
    const buys = [1, 2, 3, 4, 5].map((d) =>
      activity(`buy-${d}`, { kind: "buy", quantity: 10n, usdCents: BigInt(d * 100), occurredAt: day(d) }),
    );
    for (const b of buys) expect(await record(userId, [b])).toBe(true);
    // 25 sold: the first two lots and half the third.
    expect(
      await record(userId, [
        activity("sell-1", { kind: "sell", quantity: 25n, usdCents: 2500n, occurredAt: day(6) }),
      ]),
    ).toBe(true);
    // In one recording: 3 more (the rest of the third lot comes first), a buy, then 9 (the rest of the third
    // lot, then the fourth): the buy is the newest lot and is not touched.
    const late = activity("buy-6", { kind: "buy", quantity: 10n, usdCents: 600n, occurredAt: day(8) });
    expect(
      await record(userId, [
        activity("sell-2", { kind: "sell", quantity: 3n, usdCents: 300n, occurredAt: day(7) }),
        late,
        activity("sell-3", { kind: "sell", quantity: 9n, usdCents: 900n, occurredAt: day(9) }),
      ]),
    ).toBe(true);
    const [l1, l2, l3, l4] = buys.map((b) => b.id);
    expect(await disposals(userId)).toEqual([
      { lot_id: l1, cost_cents: "100", proceeds_cents: "1000" },
      { lot_id: l2, cost_cents: "200", proceeds_cents: "1000" },
      { lot_id: l3, cost_cents: "150", proceeds_cents: "500" },
      { lot_id: l3, cost_cents: "90", proceeds_cents: "300" },
      { lot_id: l3, cost_cents: "60", proceeds_cents: "200" },
      { lot_id: l4, cost_cents: "280", proceeds_cents: "700" },
    ]);
    // Left: 3 of the fourth lot (cost 120), the fifth (500) and the new one (600); proceeds 3,700 less cost 880.
    expect(await lotSums(t.db, userId)).toEqual([
      { asset: "BTC", lotQuantity: 23n, lotCost: 1220n, realized: 3700n - 880n },
    ]);
    // More than every open lot holds: the lots are emptied and the rest has no known cost.
    expect(
      await record(userId, [
        activity("sell-4", { kind: "sell", quantity: 30n, usdCents: 3000n, occurredAt: day(10) }),
      ]),
    ).toBe(true);
    const last = (await disposals(userId)).slice(6);
    expect(last.map((d) => d.lot_id)).toEqual([l4, buys[4]?.id, late.id, null]);
    expect(last.at(-1)?.cost_cents).toBeNull();
  });

  it("recording the same source twice records it once", async () => {
    const userId = await newUser();
    const buy = activity("deposit:1", { kind: "deposit", quantity: 5n, usdCents: 50n, occurredAt: day(1) });
    expect(await record(userId, [buy])).toBe(true);
    expect(await record(userId, [{ ...buy, id: randomUUID() }])).toBe(false);
    expect(await lotSums(t.db, userId)).toEqual([
      { asset: "BTC", lotQuantity: 5n, lotCost: 50n, realized: 0n },
    ]);
  });

  it("concurrent recordings for one user serialize on the book: no lot is consumed twice", async () => {
    const userId = await newUser();
    await record(userId, [
      activity("in", { kind: "deposit", quantity: 10n, usdCents: 100n, occurredAt: day(1) }),
    ]);
    const sells = Array.from({ length: 10 }, (_, i) =>
      activity(`sell-${i}`, { kind: "sell", quantity: 1n, usdCents: 20n, occurredAt: day(2) }),
    );
    await Promise.all(sells.map((s) => record(userId, [s])));
    expect(await lotSums(t.db, userId)).toEqual([
      { asset: "BTC", lotQuantity: 0n, lotCost: 0n, realized: 100n },
    ]);
    const rows = await disposals(userId);
    expect(rows.every((r) => r.lot_id !== null)).toBe(true);
  });

  it("a book being created is waited for too: the first recordings of a new user serialize", async () => {
    // No book yet: every one of these transactions creates it or finds the one another is creating.
    const userId = await newUser();
    const deposit = activity("in", { kind: "deposit", quantity: 10n, usdCents: 100n, occurredAt: day(1) });
    const sells = Array.from({ length: 10 }, (_, i) =>
      activity(`sell-${i}`, { kind: "sell", quantity: 1n, usdCents: 20n, occurredAt: day(2) }),
    );
    await Promise.all([deposit, ...sells].map((a) => record(userId, [a])));
    expect(await lotSums(t.db, userId)).toEqual([
      { asset: "BTC", lotQuantity: 0n, lotCost: 0n, realized: 100n },
    ]);
    const rows = await disposals(userId);
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.lot_id !== null)).toBe(true);
  });
});
