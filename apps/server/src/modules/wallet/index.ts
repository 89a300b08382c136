import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import { startIdempotencyPurge } from "../../platform/idempotency/index.js";
import type { SoftchatModule } from "../index.js";
import { fundDemoAccounts } from "./demo-funding.js";
import { startHoldSweeper } from "./ledger/sweeper.js";
import { registerWalletRoutes } from "./routes.js";
import { walletOf } from "./runtime.js";
import { startWithdrawalRecovery } from "./withdrawal-recovery.js";

export { creditForDemo } from "./deposits.js";
export { DEPOSIT_COMPLETED_TOPIC, HOLD_EXPIRED_TOPIC, OUTFLOW_TOPIC } from "./events.js";
export { balances, balancesOfUsers, hold, postHold, transfer, voidHold } from "./ledger/index.js";
export { walletOf } from "./runtime.js";
export { settleDeposit, settleWithdrawal } from "./settlement.js";

/**
 * The wallet: ledger, group-commit batcher, hold sweeper, overdue-withdrawal recovery, Idempotency-Key purge
 * and the wallet routes.
 */
export const walletModule: SoftchatModule = {
  name: "wallet",
  register(app: App, ctx: AppContext) {
    const wallet = walletOf(ctx);
    startHoldSweeper(ctx, wallet.batcher, ctx.config.WALLET_HOLD_SWEEP_MS);
    startWithdrawalRecovery(ctx, ctx.config.WALLET_HOLD_SWEEP_MS);
    startIdempotencyPurge(ctx, ctx.config.IDEMPOTENCY_TTL_HOURS);
    registerWalletRoutes(app, wallet);
    fundDemoAccounts(ctx);
  },
};
