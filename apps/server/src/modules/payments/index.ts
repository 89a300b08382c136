import type { SoftchatModule } from "../index.js";
import { registerSandboxConfirmations } from "../wallet/providers/index.js";
import { registerPaymentRoutes } from "./routes.js";

/** Payment provider webhooks, and the sandbox's simulated payout confirmations. */
export const paymentsModule: SoftchatModule = {
  name: "payments",
  async register(app, ctx) {
    registerSandboxConfirmations(ctx);
    await registerPaymentRoutes(app, ctx);
  },
};
