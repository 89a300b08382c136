import { randomUUID } from "node:crypto";
import type { TransferBody } from "@softchat/contracts";
import type { AuditActor } from "../../platform/audit/index.js";
import { recordAudit } from "../../platform/audit/index.js";
import { assertSelfOrAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import { AppError } from "../../platform/http/errors.js";
import type { IdempotencyClaim, StoredResponse } from "../../platform/idempotency/index.js";
import { findUserByIdOrUsername } from "../auth/user-directory.js";
import { formatAmount, parseAmount, parseAsset } from "./assets.js";
import { announceTransfer, publishOutflow } from "./events.js";
import type { OutflowCharge } from "./limits.js";
import { notifyRefusal, outflowCharge } from "./outflow-rules.js";
import { presentTransfer } from "./presenters.js";
import { usdCentsOf } from "./pricing.js";
import type { Wallet } from "./runtime.js";

/**
 * Sends money from `userId` to another user (by id or username) through the group-commit batcher. The
 * movement, the KYC charge, the audit row, the events and the idempotent reply commit together.
 * Refusals: 403 (not yours), 404 (no recipient), 422 `self_transfer`, `account_frozen`,
 * `insufficient_funds`, `kyc_limit_exceeded` (with a `limits` notification).
 */
export async function sendTransfer(
  wallet: Wallet,
  actor: Actor,
  audit: AuditActor,
  userId: string,
  body: TransferBody,
  claim: IdempotencyClaim,
): Promise<StoredResponse> {
  const { ctx } = wallet;
  assertSelfOrAdmin(actor, userId);
  const asset = parseAsset(body.asset);
  const amount = parseAmount(asset, body.amount);
  const recipient = await findUserByIdOrUsername(ctx.db, body.to);
  if (!recipient) throw new AppError("not_found", "Recipient not found");
  if (recipient.id === userId) throw new AppError("self_transfer", "You cannot send money to yourself");
  const operationId = randomUUID();
  const usdCents = usdCentsOf(asset, amount);
  const note = body.note ?? null;
  let sender: { charge: OutflowCharge; username: string } | undefined;
  try {
    const { value } = await wallet.batcher.submit({
      op: {
        type: "transfers",
        operationId,
        transfers: [
          {
            id: operationId,
            from: { userId },
            to: { userId: recipient.id },
            asset,
            amount,
            kind: "transfer",
            ...(note === null ? {} : { metadata: { note } }),
          },
        ],
      },
      outflowUserId: userId,
      check: async (tx) => {
        sender = await outflowCharge(tx, { userId, kind: "transfer", asset, amount, usdCents, operationId });
        return sender.charge;
      },
      finish: async (tx, applied) => {
        const created = applied.transfers[0];
        const transfer = presentTransfer({
          id: operationId,
          from: userId,
          to: recipient.id,
          asset,
          amount,
          note,
          createdAt: new Date(),
        });
        const after = applied.balances.find((b) => b.userId === userId);
        await recordAudit(tx, {
          ...audit,
          action: "wallet.transfer",
          subjectType: "transfer",
          subjectId: operationId,
          before: after ? { available: formatAmount(asset, after.available + amount) } : undefined,
          after: {
            transfer,
            ledgerTransferId: created?.id,
            available: after ? formatAmount(asset, after.available) : null,
          },
        });
        await announceTransfer(ctx, tx, transfer, {
          asset,
          amount,
          fromName: `@${sender?.username ?? "someone"}`,
          toName: `@${recipient.username}`,
        });
        await publishOutflow(ctx, tx, {
          userId,
          kind: "transfer",
          asset,
          amount: amount.toString(),
          usdCents: usdCents.toString(),
          limitUsdCents: String(sender?.charge.limitUsdCents ?? 0n),
          recipientId: recipient.id,
          transactionId: operationId,
          at: transfer.createdAt,
        });
        const response = { status: 201, body: { transfer } };
        await claim.complete(tx, response);
        return response;
      },
    });
    if (!value) throw new Error("transfer finished without a reply");
    return value;
  } catch (err) {
    if (err instanceof AppError) await notifyRefusal(ctx, userId, err);
    throw err;
  }
}
