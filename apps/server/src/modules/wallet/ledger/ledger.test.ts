import { randomUUID } from "node:crypto";
import { ASSET_SCALES, formatMinorUnits } from "@softchat/contracts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../../test/factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../../../../test/harness.js";
import { ledgerInvariants } from "../../../../test/wallet/helpers.js";
import { creditForDemo } from "../deposits.js";
import { walletOf } from "../runtime.js";
import { balances, executeOperations, hold, postHold, resolveOps, transfer, voidHold } from "./index.js";

describe.each(engines)("ledger API for other modules on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine, { WALLET_HOLD_SWEEP_MS: "50" });
  });
  afterAll(async () => {
    await server?.close();
  });

  const usd = async (userId: string) => {
    const all = await balances(server.platform.db, userId);
    const b = all.find((x) => x.asset === "USD");
    if (!b) throw new Error("no USD");
    return { available: b.available, pending: b.pending, total: b.total };
  };
  const inTx = <T>(
    fn: (tx: Parameters<Parameters<TestServer["platform"]["db"]["transaction"]>[0]>[0]) => Promise<T>,
  ) => server.platform.db.transaction(fn);
  /** Holds `amount` USD of `userId` in a batch written at commit, its accounts locked only then. */
  const holdAtCommit = (
    tx: Parameters<Parameters<typeof inTx>[0]>[0],
    userId: string,
    amount: bigint,
    id?: string,
  ) =>
    executeOperations(
      server.platform,
      tx,
      resolveOps([
        {
          type: "transfers",
          operationId: randomUUID(),
          transfers: [
            {
              id,
              from: { userId },
              to: { system: "exchange_settlement" },
              asset: "USD",
              amount,
              kind: "trade",
              pending: {},
            },
          ],
        },
      ]),
      { deferWrites: true },
    );

  it("holds funds, posts part of a hold and releases the rest", async () => {
    const a = await createUser(server.platform);
    await creditForDemo(server.platform, a.id, "USD", 10_000n);
    const holdId = await inTx((tx) =>
      hold(server.platform, tx, {
        from: { userId: a.id },
        to: { system: "escrow" },
        asset: "USD",
        amount: 4_000n,
        kind: "escrow",
      }),
    );
    expect(await usd(a.id)).toEqual({ available: 6_000n, pending: 4_000n, total: 10_000n });
    await inTx((tx) => postHold(server.platform, tx, holdId, 1_500n));
    expect(await usd(a.id)).toEqual({ available: 8_500n, pending: 0n, total: 8_500n });
    await expect(inTx((tx) => postHold(server.platform, tx, holdId))).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(inTx((tx) => voidHold(server.platform, tx, holdId))).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
  });

  it("voids a hold in full and refuses to post more than it holds", async () => {
    const a = await createUser(server.platform);
    await creditForDemo(server.platform, a.id, "USD", 1_000n);
    const holdId = await inTx((tx) =>
      hold(server.platform, tx, {
        from: { userId: a.id },
        to: { system: "exchange_settlement" },
        asset: "USD",
        amount: 700n,
        kind: "trade",
      }),
    );
    await expect(inTx((tx) => postHold(server.platform, tx, holdId, 701n))).rejects.toMatchObject({
      code: "invalid_amount",
    });
    await inTx((tx) => voidHold(server.platform, tx, holdId));
    expect(await usd(a.id)).toEqual({ available: 1_000n, pending: 0n, total: 1_000n });
  });

  it("lets the sweeper void an expired hold, which then cannot be posted", async () => {
    const a = await createUser(server.platform);
    await creditForDemo(server.platform, a.id, "USD", 1_000n);
    const holdId = await inTx((tx) =>
      hold(server.platform, tx, {
        from: { userId: a.id },
        to: { system: "escrow" },
        asset: "USD",
        amount: 300n,
        kind: "escrow",
        expiresAt: new Date(Date.now() + 200),
      }),
    );
    expect((await usd(a.id)).available).toBe(700n);
    await eventually(async () =>
      expect(await usd(a.id)).toEqual({ available: 1_000n, pending: 0n, total: 1_000n }),
    );
    await expect(inTx((tx) => postHold(server.platform, tx, holdId))).rejects.toMatchObject({
      code: "conflict",
    });
    const { rows } = await server.platform.db.query<{ status: string }>(
      "SELECT status FROM ledger_holds WHERE transfer_id = $1",
      [holdId],
    );
    expect(rows[0]?.status).toBe("expired");
  });

  it("applies linked transfers all together or not at all", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    await creditForDemo(server.platform, a.id, "USD", 500n);
    await expect(
      inTx((tx) =>
        transfer(server.platform, tx, [
          { from: { userId: a.id }, to: { userId: b.id }, asset: "USD", amount: 400n, kind: "tip" },
          { from: { userId: a.id }, to: { system: "fees" }, asset: "USD", amount: 200n, kind: "fee" },
        ]),
      ),
    ).rejects.toMatchObject({ code: "insufficient_funds" });
    expect((await usd(a.id)).available).toBe(500n);
    expect((await usd(b.id)).available).toBe(0n);
    const applied = await inTx((tx) =>
      transfer(server.platform, tx, [
        { from: { userId: a.id }, to: { userId: b.id }, asset: "USD", amount: 400n, kind: "tip" },
        { from: { userId: a.id }, to: { system: "fees" }, asset: "USD", amount: 100n, kind: "fee" },
      ]),
    );
    expect(applied.transfers).toHaveLength(2);
    expect((await usd(a.id)).available).toBe(0n);
  });

  it("checks an operation's net effect: a user may pay out what the same operation pays in", async () => {
    const a = await createUser(server.platform);
    await inTx((tx) =>
      transfer(server.platform, tx, [
        { from: { system: "rewards_pool" }, to: { userId: a.id }, asset: "USD", amount: 50n, kind: "reward" },
        { from: { userId: a.id }, to: { system: "fees" }, asset: "USD", amount: 50n, kind: "fee" },
      ]),
    );
    expect(await usd(a.id)).toEqual({ available: 0n, pending: 0n, total: 0n });
  });

  it("lets system accounts go below zero but never a user account, even for SQL that bypasses the ledger", async () => {
    const a = await createUser(server.platform);
    await creditForDemo(server.platform, a.id, "USD", 100n);
    const { rows } = await server.platform.db.query<{ net: string }>(
      `SELECT (sum(credits_posted) - sum(debits_posted))::text AS net FROM ledger_accounts
        WHERE system_name = 'clearing:sandbox' AND asset = 'USD'`,
    );
    expect(BigInt(rows[0]?.net ?? "0")).toBeLessThan(0n);
    await expect(
      server.platform.db.query(
        "UPDATE ledger_accounts SET debits_posted = debits_posted + 101 WHERE user_id = $1",
        [a.id],
      ),
    ).rejects.toThrow(/ledger_user_account_not_negative/);
    await expect(server.platform.db.query("UPDATE ledger_transfers SET amount = amount + 1")).rejects.toThrow(
      /immutable/,
    );
    await expect(server.platform.db.query("DELETE FROM ledger_transfers")).rejects.toThrow(/immutable/);
  });

  it("spreads a hot system account over shards, its balance being their sum", async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => createUser(server.platform)));
    for (const u of users) await creditForDemo(server.platform, u.id, "SOFT", 10_000_000n);
    const fee = (i: number) => ({
      from: { userId: users[i % 5]?.id ?? "" },
      to: { system: "fees" as const },
      asset: "SOFT" as const,
      amount: 1_000n,
      kind: "fee" as const,
    });
    // Writers side by side: 200 fees through the group commit (batches running in parallel)...
    const { batcher } = walletOf(server.platform);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        batcher.submit({
          op: { type: "transfers", operationId: crypto.randomUUID(), transfers: [fee(i)] },
        }),
      ),
    );
    // ...and 40 more, each in a transaction of its own.
    for (let i = 0; i < 40; i++) await inTx((tx) => transfer(server.platform, tx, [fee(i)]));
    const { rows } = await server.platform.db.query<{ shards: string; total: string }>(
      `SELECT count(*) FILTER (WHERE credits_posted > 0)::text AS shards, sum(credits_posted)::text AS total
         FROM ledger_accounts WHERE system_name = 'fees' AND asset = 'SOFT'`,
    );
    // A batch writes its system legs to ONE shard (so batches side by side lock different rows); 40
    // separate transactions landing on 4 shards or fewer out of 16 would take odds of about 1 in 10^21.
    expect(Number(rows[0]?.shards)).toBeGreaterThan(4);
    expect(rows[0]?.total).toBe("240000");
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
  });

  it("writes an amount in the database exactly as the API does, for every asset's scale", async () => {
    const scales = [...new Set([0, ...Object.values(ASSET_SCALES)])];
    const cases = fc.sample(
      fc.tuple(fc.bigInt({ min: -(10n ** 39n) + 1n, max: 10n ** 39n - 1n }), fc.constantFrom(...scales)),
      { numRuns: 300, seed: 7 },
    );
    for (const scale of scales)
      cases.push([0n, scale], [1n, scale], [-1n, scale], [10n ** BigInt(scale), scale]);
    const { rows } = await server.platform.db.query<{ text: string }>(
      `SELECT ledger_amount_text(c.minor, c.scale) AS text
         FROM unnest($1::numeric[], $2::int[]) WITH ORDINALITY AS c(minor, scale, n) ORDER BY c.n`,
      [cases.map(([minor]) => minor.toString()), cases.map(([, scale]) => scale)],
    );
    expect(rows.map((r) => r.text)).toEqual(cases.map(([minor, scale]) => formatMinorUnits(minor, scale)));
  });

  it.runIf(engine === "postgres")(
    "a batch that locks its accounts at commit counts what another writer committed after it read them",
    async () => {
      const a = await createUser(server.platform);
      await creditForDemo(server.platform, a.id, "USD", 10_000n);
      const { open, opened } = gate();
      // Chained outside the transaction below, so the deposit runs on a connection of its own once opened.
      const other = opened.then(() => creditForDemo(server.platform, a.id, "USD", 500n));
      await inTx(async (tx) => {
        const [outcome] = await holdAtCommit(tx, a.id, 3_000n);
        expect(outcome?.ok).toBe(true);
        // The accounts were read, not locked: the deposit commits while this batch is still open.
        open();
        await other;
      });
      expect(await usd(a.id)).toEqual({ available: 7_500n, pending: 3_000n, total: 10_500n });
      // The batch's balance event carries the totals its commit left, the deposit included.
      const { rows } = await server.platform.db.query<{ payload: { emits: unknown[] } }>(
        `SELECT payload FROM outbox
          WHERE topic = 'socket.emit_many' AND payload -> 'emits' @> $1::jsonb ORDER BY id`,
        [JSON.stringify([{ rooms: [`user:${a.id}`], data: { pending: "30.00" } }])],
      );
      expect(rows.flatMap((r) => r.payload.emits)).toEqual([
        {
          rooms: [`user:${a.id}`],
          event: "balance_update",
          data: { asset: "USD", available: "75.00", pending: "30.00", total: "105.00" },
        },
      ]);
      expect(await ledgerInvariants(server)).toEqual({
        imbalanced: [],
        negativeUsers: 0,
        mismatchedTotals: 0,
      });
    },
  );

  it.runIf(engine === "postgres")(
    "a batch that locks its accounts at commit fails whole when another writer spent the funds it planned on",
    async () => {
      const a = await createUser(server.platform);
      const b = await createUser(server.platform);
      await creditForDemo(server.platform, a.id, "USD", 10_000n);
      const { open, opened } = gate();
      const spend = opened.then(() =>
        server.platform.db.transaction((tx) =>
          transfer(server.platform, tx, [
            { from: { userId: a.id }, to: { userId: b.id }, asset: "USD", amount: 6_000n, kind: "transfer" },
          ]),
        ),
      );
      const holdId = randomUUID();
      await expect(
        inTx(async (tx) => {
          const [outcome] = await holdAtCommit(tx, a.id, 8_000n, holdId);
          // Planned on the 100.00 read: the 80.00 fit then.
          expect(outcome?.ok).toBe(true);
          open();
          await spend;
        }),
      ).rejects.toThrow(/ledger_user_account_not_negative/);
      expect(await usd(a.id)).toEqual({ available: 4_000n, pending: 0n, total: 4_000n });
      const { rows } = await server.platform.db.query("SELECT 1 FROM ledger_transfers WHERE id = $1", [
        holdId,
      ]);
      expect(rows).toHaveLength(0);
      expect(await ledgerInvariants(server)).toEqual({
        imbalanced: [],
        negativeUsers: 0,
        mismatchedTotals: 0,
      });
    },
  );
});

/** A promise opened by hand: what is chained on it before a transaction runs outside that transaction. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}
