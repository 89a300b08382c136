import { type AuditActor, recordAudit } from "../../platform/audit/index.js";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import {
  emitAll,
  notifyMoney,
  publishDepositCompleted,
  transactionComplete,
  transferUpdate,
} from "./events.js";
import { postHold, transfer, voidHold } from "./ledger/index.js";
import { releaseOutflow } from "./limits.js";
import { presentDeposit, presentWithdrawal } from "./presenters.js";
import { usdCentsOf } from "./pricing.js";
import type { ProviderName } from "./providers/index.js";
import {
  type DepositRow,
  finishDeposit,
  finishWithdrawal,
  lockDepositByRef,
  lockWithdrawal,
  type WithdrawalRow,
} from "./repo.js";

/** What a provider reported for a payment it was asked to make. */
export interface SettlementInput {
  provider: ProviderName;
  providerRef: string;
  outcome: "succeeded" | "failed";
  actor: AuditActor;
}

/** `settled`: this call changed the payment; `already_settled`: an earlier one did; `unknown`: no such payment. */
export type SettlementResult = "settled" | "already_settled" | "unknown";

type SettleContext = Pick<AppContext, "db" | "outbox">;

/**
 * Settles a deposit the provider confirmed or failed; a success credits the user from the provider's
 * clearing account. Idempotent: a repeat, or a call for an unknown or settled deposit, changes nothing.
 */
export function settleDeposit(ctx: SettleContext, input: SettlementInput): Promise<SettlementResult> {
  return ctx.db.transaction(async (tx) => {
    const row = await lockDepositByRef(tx, input.provider, input.providerRef);
    if (!row) return "unknown";
    if (row.status !== "pending") return "already_settled";
    await settleDepositIn(ctx, tx, row, input.outcome, input.actor);
    return "settled";
  });
}

/** Settles a locked, pending deposit inside `tx`: ledger credit, status, audit, events. */
export async function settleDepositIn(
  ctx: SettleContext,
  tx: Transaction,
  row: DepositRow,
  outcome: "succeeded" | "failed",
  actor: AuditActor,
): Promise<DepositRow> {
  const asset = row.asset;
  const amount = BigInt(row.amount);
  const succeeded = outcome === "succeeded";
  if (succeeded) {
    await transfer(
      ctx,
      tx,
      [
        {
          from: { system: `clearing:${row.provider}` },
          to: { userId: row.user_id },
          asset,
          amount,
          kind: "deposit",
          metadata: { depositId: row.id },
        },
      ],
      row.id,
    );
  }
  const done = await finishDeposit(tx, row.id, succeeded ? "completed" : "failed", succeeded ? row.id : null);
  const deposit = presentDeposit(done);
  await recordAudit(tx, {
    ...actor,
    action: succeeded ? "wallet.deposit.completed" : "wallet.deposit.failed",
    subjectType: "deposit",
    subjectId: row.id,
    before: { status: row.status },
    after: deposit,
  });
  const data = { depositId: row.id, asset, amount: deposit.amount };
  if (!succeeded) {
    await emitAll(ctx, tx, [transferUpdate([row.user_id], row.id, deposit.status)]);
    await notifyMoney(ctx, tx, {
      userId: row.user_id,
      type: "deposit",
      title: "Deposit failed",
      asset,
      amount,
      text: "Your deposit of {amount} did not go through; nothing was charged to your wallet.",
      data,
      priority: "high",
    });
    return done;
  }
  await emitAll(ctx, tx, [
    transactionComplete([row.user_id], row.id, { type: "deposit", ...deposit }),
    transferUpdate([row.user_id], row.id, deposit.status),
  ]);
  await notifyMoney(ctx, tx, {
    userId: row.user_id,
    type: "deposit",
    title: "Deposit received",
    asset,
    amount,
    text: "{amount} was added to your wallet.",
    data,
  });
  await publishDepositCompleted(ctx, tx, {
    userId: row.user_id,
    asset,
    amount: amount.toString(),
    usdCents: usdCentsOf(asset, amount).toString(),
    transactionId: row.id,
    at: deposit.settledAt ?? new Date().toISOString(),
  });
  return done;
}

/**
 * Settles a withdrawal: a success posts its hold to the provider's clearing account; a failure voids it, the
 * funds come back and the outflow stops counting against the KYC limit. Idempotent like `settleDeposit`.
 */
export function settleWithdrawal(ctx: SettleContext, input: SettlementInput): Promise<SettlementResult> {
  return ctx.db.transaction(async (tx) => {
    const row = await lockWithdrawal(tx, { provider: input.provider, providerRef: input.providerRef });
    if (!row) return "unknown";
    if (row.status !== "pending") return "already_settled";
    await settleWithdrawalIn(ctx, tx, row, input.outcome, input.actor, null);
    return "settled";
  });
}

/** Settles a locked, pending withdrawal inside `tx`: post or void its hold, status, audit, events. */
export async function settleWithdrawalIn(
  ctx: SettleContext,
  tx: Transaction,
  row: WithdrawalRow,
  outcome: "succeeded" | "failed",
  actor: AuditActor,
  reason: string | null,
): Promise<WithdrawalRow> {
  const succeeded = outcome === "succeeded";
  if (succeeded) await postHold(ctx, tx, row.hold_id);
  else {
    await voidHold(ctx, tx, row.hold_id);
    await releaseOutflow(tx, row.id);
  }
  const done = await finishWithdrawal(tx, row.id, succeeded ? "completed" : "failed", reason);
  const withdrawal = presentWithdrawal(done);
  await recordAudit(tx, {
    ...actor,
    action: succeeded ? "wallet.withdrawal.completed" : "wallet.withdrawal.failed",
    subjectType: "withdrawal",
    subjectId: row.id,
    before: { status: row.status },
    after: { ...withdrawal, reason },
  });
  await emitAll(ctx, tx, [
    ...(succeeded ? [transactionComplete([row.user_id], row.id, { type: "withdrawal", ...withdrawal })] : []),
    transferUpdate([row.user_id], row.id, withdrawal.status),
  ]);
  const asset = row.asset;
  const amount = BigInt(row.amount);
  const data = { withdrawalId: row.id, asset, amount: withdrawal.amount };
  await notifyMoney(ctx, tx, {
    userId: row.user_id,
    type: "withdrawal",
    title: succeeded ? "Withdrawal sent" : "Withdrawal failed",
    asset,
    amount,
    text: succeeded
      ? `{amount} was sent to ${row.destination}.`
      : "Your withdrawal of {amount} failed; the funds are back in your wallet.",
    data,
    priority: succeeded ? "normal" : "high",
  });
  return done;
}
