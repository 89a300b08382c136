import { randomUUID } from "node:crypto";
import { ASSETS, type Asset } from "@softchat/contracts";
import type { Queryable, Transaction } from "../../../platform/db/index.js";
import { balanceOf } from "./accounts.js";
import { executeOperations, type LedgerContext, resolveOps } from "./engine.js";
import { userAccounts, usersAccounts } from "./repo.js";
import type { BalanceState, LedgerOp, OpOutcome, TransferSpec } from "./types.js";

export { availableOf, balanceOf } from "./accounts.js";
export { executeOperations, type LedgerContext, resolveOps } from "./engine.js";
export type {
  AccountRef,
  AppliedTransfer,
  BalanceState,
  LedgerOp,
  OpOutcome,
  SystemAccountName,
  TransferSpec,
} from "./types.js";
export { SYSTEM_ACCOUNTS } from "./types.js";

export type Applied = Extract<OpOutcome, { ok: true }>;

/** Applies one operation inside the caller's transaction; a refusal throws its AppError. */
export async function applyOne(ctx: LedgerContext, tx: Transaction, op: LedgerOp): Promise<Applied> {
  const [outcome] = await executeOperations(ctx, tx, resolveOps([op]), { createMissing: true });
  if (!outcome) throw new Error("the ledger returned no outcome");
  if (!outcome.ok) throw outcome.error;
  return outcome;
}

/**
 * Moves money: every spec is applied or none is (linked transfers), inside the caller's transaction.
 * Throws 422 `insufficient_funds` when a user account would go below zero. For other modules (trading,
 * escrow, rewards): `transfer(ctx, tx, [{ from: { userId }, to: { system: "fees" }, asset, amount, kind }])`.
 */
export function transfer(
  ctx: LedgerContext,
  tx: Transaction,
  specs: TransferSpec[],
  operationId: string = randomUUID(),
): Promise<Applied> {
  return applyOne(ctx, tx, { type: "transfers", operationId, transfers: specs });
}

/**
 * Reserves funds: a pending transfer that lowers `from`'s available balance now and is posted (in full or in
 * part) or voided later; with `expiresAt`, the hold sweeper voids it once expired. Returns the hold id.
 */
export async function hold(
  ctx: LedgerContext,
  tx: Transaction,
  spec: Omit<TransferSpec, "pending"> & { expiresAt?: Date },
  operationId: string = randomUUID(),
): Promise<string> {
  const { expiresAt, ...rest } = spec;
  const applied = await transfer(
    ctx,
    tx,
    [{ ...rest, pending: expiresAt ? { expiresAt } : {} }],
    operationId,
  );
  const created = applied.transfers[0];
  if (!created) throw new Error("the ledger created no hold");
  return created.id;
}

/** Posts a hold: `amount` (default: all of it) moves for good, the rest is released. Once per hold. */
export function postHold(
  ctx: LedgerContext,
  tx: Transaction,
  holdId: string,
  amount?: bigint,
  operationId: string = randomUUID(),
): Promise<Applied> {
  return applyOne(ctx, tx, {
    type: "post",
    operationId,
    holdId,
    ...(amount === undefined ? {} : { amount }),
  });
}

/** Voids a hold: everything it reserved is released. Once per hold; a posted hold cannot be voided. */
export function voidHold(
  ctx: LedgerContext,
  tx: Transaction,
  holdId: string,
  operationId: string = randomUUID(),
): Promise<Applied> {
  return applyOne(ctx, tx, { type: "void", operationId, holdId });
}

/** A user's balances in every asset, zero where the user never held any. */
export async function balances(q: Queryable, userId: string): Promise<BalanceState[]> {
  const held = new Map((await userAccounts(q, userId)).map((a) => [a.asset, balanceOf(a)]));
  return ASSETS.map(
    (asset: Asset) => held.get(asset) ?? { userId, asset, available: 0n, pending: 0n, total: 0n },
  );
}

/** `balances` of several users in one statement, by user id. */
export async function balancesOfUsers(
  q: Queryable,
  userIds: readonly string[],
): Promise<Map<string, BalanceState[]>> {
  const held = new Map<string, Map<Asset, BalanceState>>();
  for (const a of await usersAccounts(q, userIds)) {
    if (!a.userId) continue;
    const mine = held.get(a.userId) ?? new Map<Asset, BalanceState>();
    mine.set(a.asset, balanceOf(a));
    held.set(a.userId, mine);
  }
  return new Map(
    userIds.map((userId) => [
      userId,
      ASSETS.map(
        (asset: Asset) =>
          held.get(userId)?.get(asset) ?? { userId, asset, available: 0n, pending: 0n, total: 0n },
      ),
    ]),
  );
}
