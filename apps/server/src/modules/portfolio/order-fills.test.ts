import { randomUUID } from "node:crypto";
import type { Asset } from "@softchat/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, engines, type TestDatabase } from "../../../test/harness.js";
import type { Row, Transaction } from "../../platform/db/index.js";
import { recordActivities } from "./book.js";
import { type Activity, type ActivityKind, applyActivities } from "./fifo.js";
import { type OrderFillState, recordFillStates } from "./order-fills.js";
import { lotSums } from "./queries.js";

const BTC_PRICE = new Map<Asset, bigint>([["BTC", 60_000_000_000n]]); // $60,000.00 per BTC
const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 12, minute));
const ETH = 10n ** 18n;

/** A filled order's cumulative state, as `trading.fills_settled` carries it. */
function fill(
  userId: string,
  side: "buy" | "sell",
  pair: `${Asset}-${Asset}`,
  filledBase: bigint,
  quoteTotal: bigint,
  when: Date,
  orderId: string = randomUUID(),
): OrderFillState {
  const [base, quote] = pair.split("-") as [Asset, Asset];
  return { orderId, userId, side, base, quote, filledBase, quoteTotal, at: when };
}

describe.each(engines)("recording batches of trading fills on %s", (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(async () => t?.cleanup());

  const newUser = async () => {
    const name = `fills_${randomUUID().slice(0, 8)}`;
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'unusable') RETURNING id`,
      [`${name}@example.test`, name],
    );
    return rows[0]?.id ?? "";
  };
  const record = (states: OrderFillState[]) =>
    t.db.transaction((tx) => recordFillStates(tx, states, BTC_PRICE));
  /** Records `states` and returns the SQL statements it sent. */
  const recordCounting = async (states: OrderFillState[]) => {
    const sent: string[] = [];
    await t.db.transaction((tx) => {
      const counting: Transaction = {
        query: <R extends Row>(sql: string, params?: readonly unknown[]) => {
          sent.push(sql);
          return tx.query<R>(sql, params);
        },
        afterCommit: (hook) => tx.afterCommit(hook),
        beforeCommit: (hook) => tx.beforeCommit(hook),
      };
      return recordFillStates(counting, states, BTC_PRICE);
    });
    return sent;
  };

  const lots = async (userId: string) =>
    (
      await t.db.query<{
        id: string;
        asset: string;
        quantity: string;
        cost_cents: string;
        remaining_quantity: string;
        remaining_cost_cents: string;
        closed: boolean;
      }>(
        `SELECT id, asset, quantity, cost_cents, remaining_quantity, remaining_cost_cents,
                closed_at IS NOT NULL AS closed
           FROM portfolio_lots WHERE user_id = $1 ORDER BY asset, opened_at, open_position`,
        [userId],
      )
    ).rows;
  const disposals = async (userId: string) =>
    (
      await t.db.query<{
        id: string;
        asset: string;
        activity_id: string;
        lot_id: string | null;
        part: number;
        quantity: string;
        cost_cents: string | null;
        proceeds_cents: string | null;
      }>(
        `SELECT id, asset, activity_id, lot_id, part, quantity, cost_cents, proceeds_cents
           FROM portfolio_disposals WHERE user_id = $1 ORDER BY asset, disposed_at, position, part`,
        [userId],
      )
    ).rows;
  /** The user's lots and disposals, without the ids that differ from one user to another. */
  const figures = async (userId: string) => ({
    lots: (await lots(userId)).map(({ id: _, ...rest }) => rest),
    disposals: (await disposals(userId)).map(({ id: _, activity_id: __, lot_id, ...rest }) => ({
      ...rest,
      covered: lot_id !== null,
    })),
    sums: await lotSums(t.db, userId),
  });

  /** What the lots must be: FIFO over every activity of the user, in (occurred_at, position) order. */
  const expectFifoOverHistory = async (userId: string) => {
    const { rows } = await t.db.query<{
      id: string;
      kind: ActivityKind;
      asset: Asset;
      quantity: string;
      usd_cents: string | null;
      occurred_at: Date | string;
      position: string;
    }>(
      `SELECT id, kind, asset, quantity, usd_cents, occurred_at, position FROM portfolio_activities
        WHERE user_id = $1 ORDER BY occurred_at, position`,
      [userId],
    );
    const history: Activity[] = rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      asset: r.asset,
      quantity: BigInt(r.quantity),
      usdCents: r.usd_cents === null ? null : BigInt(r.usd_cents),
      occurredAt: new Date(r.occurred_at),
      position: BigInt(r.position),
    }));
    const expected = applyActivities([], history);
    const byLot = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(
      (await lots(userId))
        .map((l) => ({ id: l.id, remaining: l.remaining_quantity, cost: l.remaining_cost_cents }))
        .sort(byLot),
    ).toEqual(
      expected.lots
        .map((l) => ({ id: l.id, remaining: `${l.remainingQuantity}`, cost: `${l.remainingCost}` }))
        .sort(byLot),
    );
    const key = (d: { activityId: string; part: number }) => `${d.activityId}:${d.part}`;
    expect(
      (await disposals(userId))
        .map((d) => ({
          key: key({ activityId: d.activity_id, part: d.part }),
          lot: d.lot_id,
          cost: d.cost_cents,
        }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    ).toEqual(
      expected.disposals
        .map((d) => ({ key: key(d), lot: d.lotId, cost: d.cost === null ? null : `${d.cost}` }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
  };

  /**
   * A settled batch for each user: BTC bought in two steps of one order (both states in the batch), ETH
   * bought, part of the BTC sold, and ETH sold for BTC on ETH-BTC (whose BTC leg is a buy valued at $60,000).
   */
  const trades = (userId: string, when: Date): OrderFillState[] => {
    const btcBuy = randomUUID();
    return [
      fill(userId, "buy", "BTC-USD", 50_000n, 3_000n, when, btcBuy),
      fill(userId, "buy", "ETH-USD", 2n * ETH, 610_000n, when),
      fill(userId, "buy", "BTC-USD", 100_000n, 6_000n, when, btcBuy),
      fill(userId, "sell", "BTC-USD", 70_000n, 4_480n, when),
      fill(userId, "sell", "ETH-BTC", ETH / 2n, 2_500_000n, when),
    ];
  };
  /** Interleaves the users' states, the way one engine's batch mixes its traders. */
  const interleave = (lists: OrderFillState[][]) =>
    Array.from({ length: Math.max(...lists.map((l) => l.length)) }, (_, i) =>
      lists.flatMap((l) => l[i] ?? []),
    ).flat();

  it("a batch of several users' fills gives each the same lots and realized P&L as recording each fill on its own", async () => {
    const together = [await newUser(), await newUser(), await newUser()];
    const alone = [await newUser(), await newUser(), await newUser()];
    const changed = await record(interleave(together.map((u) => trades(u, at(1)))));
    expect([...changed].sort()).toEqual([...together].sort());
    for (const state of interleave(alone.map((u) => trades(u, at(1))))) await record([state]);

    for (const [i, userId] of together.entries()) {
      const mine = await figures(userId);
      expect(mine).toEqual(await figures(alone[i] ?? ""));
      // 0.0007 of 0.001 BTC (cost 60.00) sold for 44.80; 0.5 of 2 ETH (cost 6,100.00) sold for 0.025 BTC,
      // worth 1,500.00, which opens a BTC lot at that cost.
      expect(mine.sums).toEqual(
        expect.arrayContaining([
          { asset: "BTC", lotQuantity: 2_530_000n, lotCost: 151_800n, realized: 280n },
          { asset: "ETH", lotQuantity: (3n * ETH) / 2n, lotCost: 457_500n, realized: 150_000n - 152_500n },
        ]),
      );
      await expectFifoOverHistory(userId);
    }
  });

  it("a batch takes the same few statements for twenty users as for one", async () => {
    const one = await recordCounting(trades(await newUser(), at(1)));
    const users = await Promise.all(Array.from({ length: 20 }, () => newUser()));
    const twenty = await recordCounting(interleave(users.map((u) => trades(u, at(1)))));
    expect(twenty).toHaveLength(one.length);
    expect(one.length).toBeLessThanOrEqual(10);
  });

  it("fills of another asset that arrive late are appended: the lots they do not touch are not replayed", async () => {
    const userId = await newUser();
    // The BTC engine's batches: bought at 12:05, part sold at 12:06.
    await record([fill(userId, "buy", "BTC-USD", 100_000n, 6_000n, at(5))]);
    await record([fill(userId, "sell", "BTC-USD", 40_000n, 2_800n, at(6))]);
    const btcBefore = await disposals(userId);
    expect(btcBefore).toHaveLength(1);

    // The ETH engine's batches, settled earlier but delivered later.
    const sent = await recordCounting([
      fill(userId, "buy", "ETH-USD", ETH, 300_000n, at(2)),
      fill(userId, "buy", "ETH-USD", ETH, 320_000n, at(3)),
    ]);
    expect(sent.some((sql) => /^\s*DELETE/i.test(sql))).toBe(false);
    await record([fill(userId, "sell", "ETH-USD", (3n * ETH) / 2n, 480_000n, at(4))]);

    // The BTC sale is the very same row: nothing was replayed.
    expect((await disposals(userId)).filter((d) => d.asset === "BTC")).toEqual(btcBefore);
    expect(await lotSums(t.db, userId)).toEqual(
      expect.arrayContaining([
        { asset: "BTC", lotQuantity: 60_000n, lotCost: 3_600n, realized: 400n },
        // All of the first ETH lot (3,000.00) and half the second (1,600.00) sold for 4,800.00.
        { asset: "ETH", lotQuantity: ETH / 2n, lotCost: 160_000n, realized: 20_000n },
      ]),
    );
    await expectFifoOverHistory(userId);
  });

  it("a late fill of the same asset replays that asset's lots: the sale takes the older, cheaper lot", async () => {
    const userId = await newUser();
    await record([
      fill(userId, "buy", "ETH-USD", ETH, 300_000n, at(1)),
      fill(userId, "buy", "BTC-USD", 100_000n, 7_000n, at(3)),
    ]);
    await record([
      fill(userId, "sell", "ETH-USD", ETH / 2n, 160_000n, at(4)),
      fill(userId, "sell", "BTC-USD", 100_000n, 6_500n, at(4)),
    ]);
    const ethBefore = (await disposals(userId)).filter((d) => d.asset === "ETH");
    // Sold before the cheaper, older lot was known: the dear lot closed at a loss of 5.00.
    expect(await lotSums(t.db, userId)).toEqual(
      expect.arrayContaining([{ asset: "BTC", lotQuantity: 0n, lotCost: 0n, realized: -500n }]),
    );

    const cheap = fill(userId, "buy", "BTC-USD", 100_000n, 5_000n, at(2));
    const sent = await recordCounting([cheap]);
    expect(sent.filter((sql) => /^\s*DELETE/i.test(sql))).toHaveLength(2);
    // FIFO over the true order: the sale takes the cheap lot, a gain of 15.00; the dear lot stays open.
    expect(await lotSums(t.db, userId)).toEqual(
      expect.arrayContaining([
        { asset: "BTC", lotQuantity: 100_000n, lotCost: 7_000n, realized: 1_500n },
        { asset: "ETH", lotQuantity: ETH / 2n, lotCost: 150_000n, realized: 10_000n },
      ]),
    );
    // Only BTC was replayed.
    expect((await disposals(userId)).filter((d) => d.asset === "ETH")).toEqual(ethBefore);
    await expectFifoOverHistory(userId);

    // A late ETH-BTC fill pays with BTC: it is late for BTC too, and the BTC paid comes from the oldest lot.
    await record([fill(userId, "buy", "ETH-BTC", ETH / 10n, 50_000n, at(0))]);
    await expectFifoOverHistory(userId);
  });

  it("the same batch delivered again changes nothing", async () => {
    const users = [await newUser(), await newUser()];
    const batch = interleave(users.map((u) => trades(u, at(1))));
    await record(batch);
    const snapshot = async () =>
      Promise.all(users.map(async (u) => ({ lots: await lots(u), disposals: await disposals(u) })));
    const before = await snapshot();
    const activities = async () =>
      (
        await t.db.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM portfolio_activities WHERE user_id = ANY($1::uuid[])",
          [users],
        )
      ).rows[0]?.n;
    const count = await activities();

    expect(await record(batch)).toEqual(new Set());
    expect(await record(batch.slice(0, 2))).toEqual(new Set());
    expect(await snapshot()).toEqual(before);
    expect(await activities()).toBe(count);
  });

  it("batches of the same users recorded at once neither deadlock nor take a lot twice", async () => {
    const users = [await newUser(), await newUser(), await newUser(), await newUser()];
    for (const userId of users) {
      await t.db.transaction((tx) =>
        recordActivities(tx, userId, [
          {
            id: randomUUID(),
            sourceKey: `deposit:${userId}`,
            kind: "deposit",
            asset: "BTC",
            quantity: 100_000n,
            usdCents: 6_000n,
            occurredAt: at(0),
          },
        ]),
      );
    }
    // Each batch sells 0.0001 BTC of every user, the users listed in a different order each time.
    const batches = Array.from({ length: 10 }, (_, i) =>
      [...users.slice(i % users.length), ...users.slice(0, i % users.length)]
        .reverse()
        .map((userId) => fill(userId, "sell", "BTC-USD", 10_000n, 700n, at(1))),
    );
    await Promise.all(batches.map((b) => record(b)));
    for (const userId of users) {
      expect(await lotSums(t.db, userId)).toEqual([
        { asset: "BTC", lotQuantity: 0n, lotCost: 0n, realized: 1_000n },
      ]);
      expect((await disposals(userId)).every((d) => d.lot_id !== null)).toBe(true);
      await expectFifoOverHistory(userId);
    }
  });
});
