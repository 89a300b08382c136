import { randomUUID } from "node:crypto";
import type { AppContext } from "../../../platform/context.js";
import { deferWrite, type Transaction } from "../../../platform/db/index.js";
import { AppError } from "../../../platform/http/errors.js";
import { emitManyAfterCommit } from "../../../platform/realtime/index.js";
import { formatAmount } from "../assets.js";
import { balanceOf, isUuid, keyOf, randomShard } from "./accounts.js";
import { type Admit, type Book, planOperations, type ResolvedOp } from "./plan.js";
import {
  accountsAtCommit,
  createAccounts,
  ledgerWriteParts,
  lockAccounts,
  lockHolds,
  readAccounts,
  writeLedger,
} from "./repo.js";
import type { AccountRef, AccountState, LedgerOp, OpOutcome } from "./types.js";

/** What the ledger needs from the platform: the outbox its balance events go through. */
export type LedgerContext = Pick<AppContext, "outbox">;

export interface ExecuteOptions {
  /** Extra admission rule run after the funds check of each operation (the wallet's KYC limits). */
  admit?: Admit;
  /**
   * Create receiving user accounts that do not exist yet, inside the transaction. The group-commit path
   * creates them beforehand instead and refuses an operation whose receiving account is still missing.
   */
  createMissing?: boolean;
  /**
   * Send the batch's writes with the transaction's deferred writes at commit instead of now, and lock the
   * accounts only then: for a caller that reads none of them back in the transaction and writes nothing
   * that refers to its transfers except through deferred writes too (order intake and settlement: the
   * orders naming their holds). The accounts are read without a lock and planned on; their totals move in
   * the transaction's final statements (`accountsAtCommit`), so intake and the pairs' settlements, which
   * share the same traders' accounts, wait on each other for those statements and the commit alone. A
   * writer that spends the same funds in between makes the commit fail (the database's rule that no user
   * account goes negative) rather than overdraw, and the caller retries: order intake takes each order
   * alone then, with the locks taken first; a settlement never lowers what a user has available, so it
   * cannot fail this way. The outcomes' balances are the planned ones; the `balance_update` events carry
   * the committed totals.
   */
  deferWrites?: boolean;
}

function refValid(ref: AccountRef): boolean {
  return !("userId" in ref) || isUuid(ref.userId);
}

/**
 * Looks up the account keys of each operation. The system accounts of a whole batch take ONE random shard:
 * a shard per transfer would have a batch lock most shards of a hot account (the exchange's settlement
 * account in every order intake and settlement), so batches could never run side by side.
 */
export function resolveOps(ops: LedgerOp[]): ResolvedOp[] {
  const shard = randomShard();
  return ops.map((op) => {
    if (op.type !== "transfers") {
      return isUuid(op.holdId)
        ? { op, specs: [] }
        : { op, specs: [], invalid: new AppError("not_found", "Hold not found") };
    }
    if (op.transfers.some((t) => !refValid(t.from) || !refValid(t.to))) {
      return { op, specs: [], invalid: new AppError("not_found", "Account not found") };
    }
    const specs = op.transfers.map((spec) => ({
      spec,
      id: spec.id ?? randomUUID(),
      debitKey: keyOf(spec.from, spec.asset, shard),
      creditKey: keyOf(spec.to, spec.asset, shard),
    }));
    return { op, specs };
  });
}

/** The receiving account keys of resolved operations (accounts that may have to be created). */
export function creditKeys(resolved: ResolvedOp[]): string[] {
  return resolved.flatMap((r) => r.specs.map((s) => s.creditKey));
}

/**
 * Applies operations inside `tx`, each entirely or not at all, in order, and returns one outcome per
 * operation. Holds, then accounts, are locked in id order; the batch is planned in memory and written with a
 * handful of statements whatever its size; the database constraints check the result once more. Queues one
 * `balance_update` per changed user account, delivered after commit.
 */
export async function executeOperations(
  ctx: LedgerContext,
  tx: Transaction,
  resolved: ResolvedOp[],
  options: ExecuteOptions = {},
): Promise<OpOutcome[]> {
  const holdIds = new Set<string>();
  const keys = new Set<string>();
  for (const r of resolved) {
    if (r.invalid) continue;
    if (r.op.type !== "transfers") holdIds.add(r.op.holdId);
    for (const s of r.specs) keys.add(s.debitKey).add(s.creditKey);
  }
  const holds = await lockHolds(tx, [...holdIds].sort());
  const holdAccounts = [...holds.values()].flatMap((h) => [h.debitAccountId, h.creditAccountId]);
  const read = options.deferWrites ? readAccounts : lockAccounts;
  let accounts = await read(tx, [...keys], holdAccounts);
  if (options.createMissing) {
    const found = new Set(accounts.map((a) => a.key));
    const missing = creditKeys(resolved).filter((k) => !found.has(k));
    if (missing.length > 0) {
      await createAccounts(tx, missing);
      accounts = accounts.concat(await read(tx, missing, []));
    }
  }
  const book: Book = { byKey: new Map(), byId: new Map(), holds };
  for (const a of accounts) {
    book.byKey.set(a.key, a);
    book.byId.set(a.id, a);
  }
  const plan = planOperations(resolved, book, options.admit);
  const writes = {
    deltas: [...plan.deltas.values()],
    transfers: plan.transfers,
    newHolds: plan.newHolds,
    endedHolds: plan.endedHolds,
  };
  if (options.deferWrites) {
    for (const part of ledgerWriteParts({ ...writes, deltas: [] })) deferWrite(tx, part.sql, part.params);
    accountsAtCommit(ctx.outbox, tx, writes.deltas);
    return plan.outcomes;
  }
  await writeLedger(tx, writes);
  await publishBalances(ctx, tx, [...plan.changedUsers.values()]);
  return plan.outcomes;
}

/** One outbox row for the whole batch, fanned out to each owner's `user:{id}` room after commit. */
async function publishBalances(ctx: LedgerContext, tx: Transaction, changed: AccountState[]): Promise<void> {
  if (changed.length === 0) return;
  await emitManyAfterCommit(
    ctx.outbox,
    tx,
    changed.map((account) => {
      const b = balanceOf(account);
      return {
        rooms: [`user:${b.userId}`],
        event: "balance_update",
        data: {
          asset: b.asset,
          available: formatAmount(b.asset, b.available),
          pending: formatAmount(b.asset, b.pending),
          total: formatAmount(b.asset, b.total),
        },
      };
    }),
  );
}
