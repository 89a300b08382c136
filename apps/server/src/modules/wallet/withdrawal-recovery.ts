import { SYSTEM_ACTOR } from "../../platform/audit/index.js";
import type { AppContext } from "../../platform/context.js";
import { startPeriodic } from "../../platform/periodic.js";
import { sandboxPayoutFails } from "./providers/sandbox.js";
import { lockWithdrawal, overdueWithdrawals, type WithdrawalRow } from "./repo.js";
import { settleWithdrawalIn } from "./settlement.js";

const RECOVERY_BATCH = 200;

type RecoveryContext = Pick<AppContext, "config" | "db" | "outbox" | "logger" | "onShutdown">;

/**
 * Keeps a withdrawal's hold from being forgotten when its settlement never arrives: a node that dies
 * between committing the hold and calling the provider, or an in-process job queue that loses the
 * sandbox's delayed confirmation on restart, would otherwise leave the funds pending forever. Every
 * `intervalMs`, on one node at a time, a sandbox payout overdue by WALLET_WITHDRAWAL_RECOVERY_MS is settled
 * as the sandbox would have settled it, and a payout another provider never acknowledged is failed (its
 * hold voided). Stops on shutdown. Returns a function that runs one pass now (tests).
 */
export function startWithdrawalRecovery(ctx: RecoveryContext, intervalMs: number): () => Promise<number> {
  const recovery = startPeriodic({
    name: "withdrawal recovery",
    intervalMs,
    logger: ctx.logger,
    run: (signal) => recoverOverdueWithdrawals(ctx, signal),
  });
  ctx.onShutdown(() => recovery.stop());
  return () => recoverOverdueWithdrawals(ctx, recovery.signal);
}

/** One recovery pass over the overdue withdrawals, ending early once `signal` aborts. How many it settled. */
function recoverOverdueWithdrawals(ctx: RecoveryContext, signal: AbortSignal): Promise<number> {
  return ctx.db.withLock("wallet:withdrawal-recovery", async (session) => {
    const rows = await overdueWithdrawals(session, {
      sandboxConfirmMs: ctx.config.SANDBOX_CONFIRM_MS,
      graceMs: ctx.config.WALLET_WITHDRAWAL_RECOVERY_MS,
      limit: RECOVERY_BATCH,
    });
    let settled = 0;
    for (const row of rows) {
      if (signal.aborted) break;
      if (await recoverWithdrawal(ctx, row)) settled++;
    }
    return settled;
  });
}

/** Settles one overdue withdrawal unless a late confirmation settled it first. True when this call did. */
async function recoverWithdrawal(ctx: RecoveryContext, overdue: WithdrawalRow): Promise<boolean> {
  const sandbox = overdue.provider === "sandbox";
  const fails = !sandbox || sandboxPayoutFails(overdue.destination);
  const reason = sandbox
    ? fails
      ? "the sandbox payout failed"
      : null
    : "the payment provider never acknowledged the payout";
  return ctx.db.transaction(async (tx) => {
    const row = await lockWithdrawal(tx, { id: overdue.id });
    if (row?.status !== "pending") return false;
    const actor = { ...SYSTEM_ACTOR, requestId: `withdrawal-recovery:${row.id}` };
    await settleWithdrawalIn(ctx, tx, row, fails ? "failed" : "succeeded", actor, reason);
    ctx.logger.warn(
      { withdrawalId: row.id, provider: row.provider },
      "overdue withdrawal settled by recovery",
    );
    return true;
  });
}
