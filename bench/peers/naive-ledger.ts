/**
 * The naive peer of the ledger benchmark: what a ledger usually starts as. One balance column per account,
 * and one transaction per transfer: lock both rows with SELECT ... FOR UPDATE, check the balance, two
 * UPDATEs, commit. No transfer history, no holds, no batching.
 */
import type { Database } from "../../apps/server/src/platform/db/index.js";

export async function setupNaiveLedger(db: Database, accounts: number, initial: bigint): Promise<void> {
  await db.query("DROP TABLE IF EXISTS naive_accounts");
  await db.query(
    `CREATE TABLE naive_accounts (
       id INTEGER PRIMARY KEY,
       balance NUMERIC(39,0) NOT NULL CHECK (balance >= 0)
     )`,
  );
  await db.query("INSERT INTO naive_accounts (id, balance) SELECT g, $2 FROM generate_series(0, $1 - 1) g", [
    accounts,
    initial,
  ]);
}

/** Moves `amount` from one account to another; false when the payer lacks the funds. */
export function naiveTransfer(db: Database, from: number, to: number, amount: bigint): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number; balance: string }>(
      "SELECT id, balance FROM naive_accounts WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE",
      [[from, to]],
    );
    const payer = rows.find((r) => Number(r.id) === from);
    if (!payer || BigInt(payer.balance) < amount) return false;
    await tx.query("UPDATE naive_accounts SET balance = balance - $2 WHERE id = $1", [from, amount]);
    await tx.query("UPDATE naive_accounts SET balance = balance + $2 WHERE id = $1", [to, amount]);
    return true;
  });
}

/** The peer's invariants: money is neither created nor lost, and no balance is negative. */
export async function naiveInvariants(db: Database, expectedTotal: bigint): Promise<boolean> {
  const { rows } = await db.query<{ total: string; negative: string }>(
    "SELECT sum(balance)::text AS total, count(*) FILTER (WHERE balance < 0)::text AS negative FROM naive_accounts",
  );
  return BigInt(rows[0]?.total ?? "-1") === expectedTotal && rows[0]?.negative === "0";
}
