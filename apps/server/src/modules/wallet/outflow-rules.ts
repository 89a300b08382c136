import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import { AppError } from "../../platform/http/errors.js";
import { getUserState } from "../auth/user-directory.js";
import { type NotificationInput, notify } from "../notifications/service.js";
import { KYC_LIMIT_USD_CENTS, type OutflowCharge } from "./limits.js";

/**
 * The rules of any outflow (transfer out, withdrawal), read fresh in the money transaction: the user exists
 * and is not frozen; the outflow is charged to the rolling limit of the user's KYC level.
 */
export async function outflowCharge(
  tx: Transaction,
  o: Omit<OutflowCharge, "limitUsdCents">,
): Promise<{ charge: OutflowCharge; username: string }> {
  const state = await getUserState(tx, o.userId);
  if (!state) throw new AppError("not_found", "User not found");
  if (state.frozen) {
    throw new AppError("account_frozen", "This account is frozen: sending and withdrawing are disabled");
  }
  return { charge: { ...o, limitUsdCents: KYC_LIMIT_USD_CENTS[state.kycLevel] }, username: state.username };
}

/**
 * Tells the user an outflow was refused by a rule they should know about, in a small transaction of its
 * own (the notification stays although the outflow rolled back): over the KYC limit (`limits`), or blocked
 * because the account is frozen (`security`). Other refusals need no notification.
 */
export async function notifyRefusal(
  ctx: Pick<AppContext, "db" | "outbox" | "logger">,
  userId: string,
  err: AppError,
): Promise<void> {
  const input = refusalNotice(userId, err);
  if (!input) return;
  try {
    await ctx.db.transaction((tx) => notify(ctx, tx, input));
  } catch (failure) {
    ctx.logger.error({ err: failure, userId }, "could not notify an outflow refusal");
  }
}

function refusalNotice(userId: string, err: AppError): NotificationInput | null {
  if (err.code === "kyc_limit_exceeded") {
    const remaining = String(err.details?.remaining ?? "0.00");
    return {
      userId,
      type: "limits",
      title: "Daily limit reached",
      body: `This would go over your 24-hour limit; $${remaining} is left. Verify your identity to raise it.`,
      priority: "high",
      data: { ...err.details },
    };
  }
  if (err.code === "account_frozen") {
    return {
      userId,
      type: "security",
      title: "Outgoing payment blocked",
      body: "Your account is frozen, so money cannot leave it. Contact support to review it.",
      priority: "high",
      data: {},
    };
  }
  return null;
}
