import { SYSTEM_ACTOR } from "../../../platform/audit/index.js";
import type { AppContext } from "../../../platform/context.js";
import { settleWithdrawal } from "../settlement.js";
import type { PaymentProvider } from "./types.js";

/** Job queue that delivers the sandbox's simulated payout confirmations. */
export const SANDBOX_CONFIRM_QUEUE = "payments.sandbox-confirm";

interface SandboxConfirmation {
  withdrawalId: string;
  providerRef: string;
  outcome: "succeeded" | "failed";
}

/**
 * Whether the sandbox fails a payout: a destination starting with `fail` (any case), e.g. `fail-address`,
 * makes the withdrawal fail after its confirmation delay, so its held funds are released.
 */
export function sandboxPayoutFails(destination: string): boolean {
  return destination.trim().toLowerCase().startsWith("fail");
}

/**
 * The embedded default: deposits complete at once; a withdrawal is confirmed (or failed, see
 * `sandboxPayoutFails`) by a job SANDBOX_CONFIRM_MS later, which settles it like a provider's webhook would.
 */
export function createSandboxProvider(ctx: Pick<AppContext, "config" | "jobs">): PaymentProvider {
  return {
    name: "sandbox",
    async startDeposit({ depositId }) {
      return { status: "completed", providerRef: `sbx_dep_${depositId}` };
    },
    async startWithdrawal({ withdrawalId, destination }) {
      const providerRef = `sbx_wd_${withdrawalId}`;
      const confirmation: SandboxConfirmation = {
        withdrawalId,
        providerRef,
        outcome: sandboxPayoutFails(destination) ? "failed" : "succeeded",
      };
      await ctx.jobs.enqueue(SANDBOX_CONFIRM_QUEUE, confirmation, {
        jobId: withdrawalId,
        delayMs: ctx.config.SANDBOX_CONFIRM_MS,
        attempts: 8,
        backoffMs: 250,
      });
      return { providerRef };
    },
  };
}

/** Registers the processor of the sandbox's payout confirmations; call once at start, before jobs start. */
export function registerSandboxConfirmations(ctx: AppContext): void {
  ctx.jobs.register<SandboxConfirmation>(SANDBOX_CONFIRM_QUEUE, async (job) => {
    const result = await settleWithdrawal(ctx, {
      provider: "sandbox",
      providerRef: job.providerRef,
      outcome: job.outcome,
      actor: { ...SYSTEM_ACTOR, requestId: `sandbox-confirm:${job.withdrawalId}` },
    });
    // The wallet may start the payout before its own transaction commits: until then the withdrawal is
    // unknown here, so the job fails and is retried with backoff rather than dropped.
    if (result === "unknown") throw new Error(`sandbox withdrawal ${job.withdrawalId} not found yet`);
  });
}
