import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createUser } from "../../../test/factories.js";
import {
  createTestDatabase,
  type Engine,
  engines,
  eventually,
  request,
  type TestDatabase,
  type TestServer,
  testConfig,
} from "../../../test/harness.js";
import { balanceOf, deposit, ledgerInvariants } from "../../../test/wallet/helpers.js";
import type { Database } from "../../platform/db/index.js";
import { startServer } from "../../server.js";

/** The same database for successive nodes: closing a node must not close it. */
function outliving(db: Database): Database {
  return {
    engine: db.engine,
    query: (sql, params) => db.query(sql, params),
    transaction: (fn, options) => db.transaction(fn, options),
    withLock: (key, fn) => db.withLock(key, fn),
    close: async () => {},
  };
}

describe.each(engines)("withdrawals whose confirmation was lost on %s", (engine: Engine) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function startNode(
    testDb: TestDatabase,
    db: Database,
    env: Record<string, string>,
  ): Promise<TestServer> {
    const config = testConfig(engine, env);
    const node = await startServer(config, { db });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await node.close();
      rmSync(config.DATA_DIR, { recursive: true, force: true });
    };
    cleanups.push(close);
    return {
      ...node,
      engine,
      testDb,
      close,
      request: (method, path, options) => request(node.url, method, path, options),
    };
  }

  it("a node that restarts before the sandbox confirms a withdrawal still settles it: nothing stays held", async () => {
    const testDb = await createTestDatabase(engine);
    cleanups.push(() => testDb.cleanup());
    const db = outliving(testDb.db);

    // The first node's confirmations would come an hour later; it stops before, and its queue goes with it.
    const first = await startNode(testDb, db, { SANDBOX_CONFIRM_MS: "3600000" });
    const user = await createUser(first.platform);
    await deposit(first, user, "USD", "100.00");
    const withdraw = (amount: string, destination: string) =>
      first.request("POST", `/api/wallet/${user.id}/withdrawals`, {
        token: user.token,
        body: { asset: "USD", amount, destination },
        headers: { "idempotency-key": randomUUID() },
      });
    const sent = await withdraw("30.00", "bank-acct");
    const failing = await withdraw("20.00", "fail-acct");
    expect([sent.status, failing.status]).toEqual([201, 201]);
    expect(await balanceOf(first, user, "USD")).toMatchObject({ available: "50.00", pending: "50.00" });
    await first.close();

    const second = await startNode(testDb, db, {
      SANDBOX_CONFIRM_MS: "0",
      WALLET_WITHDRAWAL_RECOVERY_MS: "100",
      WALLET_HOLD_SWEEP_MS: "100",
    });
    await eventually(async () => {
      expect(await balanceOf(second, user, "USD")).toEqual({
        asset: "USD",
        available: "70.00",
        pending: "0.00",
        total: "70.00",
      });
    }, 10_000);
    const { rows } = await db.query<{ id: string; status: string }>(
      "SELECT id, status FROM withdrawals WHERE user_id = $1",
      [user.id],
    );
    const statusOf = new Map(rows.map((r) => [r.id, r.status]));
    expect(statusOf.get(sent.body.withdrawal.id)).toBe("completed");
    expect(statusOf.get(failing.body.withdrawal.id)).toBe("failed");
    expect(await ledgerInvariants(second)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
  }, 60_000);
});
