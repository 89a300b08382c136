import { randomUUID } from "node:crypto";
import type { WithdrawalBody } from "@softchat/contracts";
import { type AuditActor, recordAudit } from "../../platform/audit/index.js";
import { assertSelfOrAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import { AppError } from "../../platform/http/errors.js";
import {
  errorResponse,
  type IdempotencyClaim,
  isFinalError,
  type StoredResponse,
} from "../../platform/idempotency/index.js";
import { parseAmount, parseAsset } from "./assets.js";
import { emitAll, notifyMoney, publishOutflow, transferUpdate } from "./events.js";
import type { OutflowCharge } from "./limits.js";
import { notifyRefusal, outflowCharge } from "./outflow-rules.js";
import { presentWithdrawal } from "./presenters.js";
import { usdCentsOf } from "./pricing.js";
import { getProvider } from "./providers/index.js";
import { insertWithdrawal, lockWithdrawal, recordWithdrawalRef } from "./repo.js";
import type { Wallet } from "./runtime.js";
import { settleWithdrawalIn } from "./settlement.js";

/**
 * Requests a withdrawal: the funds are held (pending transfer to the provider's clearing account) in the
 * same batch transaction as the KYC charge, the withdrawal row, audit, events and idempotent reply; the
 * provider is called after commit. Its confirmation posts the hold, its failure voids it. A provider that
 * refuses at once fails the withdrawal right away (funds back) and the request answers with its error.
 */
export async function requestWithdrawal(
  wallet: Wallet,
  actor: Actor,
  audit: AuditActor,
  userId: string,
  body: WithdrawalBody,
  claim: IdempotencyClaim,
): Promise<StoredResponse> {
  const { ctx } = wallet;
  assertSelfOrAdmin(actor, userId);
  const asset = parseAsset(body.asset);
  const amount = parseAmount(asset, body.amount);
  const providerName = body.provider ?? "sandbox";
  const provider = getProvider(ctx, providerName);
  const withdrawalId = randomUUID();
  const usdCents = usdCentsOf(asset, amount);
  let charge: OutflowCharge | undefined;
  let response: StoredResponse | undefined;
  try {
    ({ value: response } = await wallet.batcher.submit({
      op: {
        type: "transfers",
        operationId: withdrawalId,
        transfers: [
          {
            from: { userId },
            to: { system: `clearing:${providerName}` },
            asset,
            amount,
            kind: "withdrawal",
            pending: {},
            metadata: { withdrawalId, destination: body.destination },
          },
        ],
      },
      outflowUserId: userId,
      check: async (tx) => {
        ({ charge } = await outflowCharge(tx, {
          userId,
          kind: "withdrawal",
          asset,
          amount,
          usdCents,
          operationId: withdrawalId,
        }));
        return charge;
      },
      finish: async (tx, applied) => {
        const holdId = applied.transfers[0]?.id;
        if (!holdId) throw new Error("withdrawal hold missing");
        const row = await insertWithdrawal(tx, {
          id: withdrawalId,
          userId,
          asset,
          amount,
          destination: body.destination,
          provider: providerName,
          holdId,
        });
        const withdrawal = presentWithdrawal(row);
        await recordAudit(tx, {
          ...audit,
          action: "wallet.withdrawal.requested",
          subjectType: "withdrawal",
          subjectId: withdrawalId,
          after: withdrawal,
        });
        await emitAll(ctx, tx, [transferUpdate([userId], withdrawalId, "pending")]);
        await notifyMoney(ctx, tx, {
          userId,
          type: "withdrawal",
          title: "Withdrawal requested",
          asset,
          amount,
          text: `{amount} is on hold until the transfer to ${body.destination} is confirmed.`,
          data: { withdrawalId, asset, amount: withdrawal.amount },
        });
        await publishOutflow(ctx, tx, {
          userId,
          kind: "withdrawal",
          asset,
          amount: amount.toString(),
          usdCents: usdCents.toString(),
          limitUsdCents: String(charge?.limitUsdCents ?? 0n),
          recipientId: null,
          transactionId: withdrawalId,
          at: withdrawal.createdAt,
        });
        const reply = { status: 201, body: { withdrawal } };
        await claim.complete(tx, reply);
        return reply;
      },
    }));
  } catch (err) {
    if (err instanceof AppError) await notifyRefusal(ctx, userId, err);
    throw err;
  }
  if (!response) throw new Error("withdrawal finished without a reply");
  try {
    const start = await provider.startWithdrawal({
      withdrawalId,
      userId,
      asset,
      amount,
      destination: body.destination,
    });
    await recordWithdrawalRef(ctx.db, withdrawalId, start.providerRef);
  } catch (err) {
    await failAtStart(wallet, audit, withdrawalId, err, claim);
    throw err;
  }
  return response;
}

/**
 * The provider refused or could not be reached: void the hold at once. The reply stored for the key
 * becomes the provider's error when it is final, or the key is freed so that a retry can try again.
 */
async function failAtStart(
  wallet: Wallet,
  audit: AuditActor,
  withdrawalId: string,
  err: unknown,
  claim: IdempotencyClaim,
): Promise<void> {
  const reason = err instanceof AppError ? err.message : "the payment provider failed";
  await wallet.ctx.db.transaction(async (tx) => {
    const row = await lockWithdrawal(tx, { id: withdrawalId });
    if (row?.status === "pending") await settleWithdrawalIn(wallet.ctx, tx, row, "failed", audit, reason);
    if (isFinalError(err)) await claim.complete(tx, errorResponse(err));
    else await claim.release(tx);
  });
}
