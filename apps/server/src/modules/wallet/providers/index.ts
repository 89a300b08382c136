import type { AppContext } from "../../../platform/context.js";
import { AppError } from "../../../platform/http/errors.js";
import { createCoinbaseProvider } from "./coinbase.js";
import { createSandboxProvider } from "./sandbox.js";
import { createStripeProvider } from "./stripe.js";
import type { PaymentProvider, ProviderName } from "./types.js";

export { registerSandboxConfirmations, SANDBOX_CONFIRM_QUEUE, sandboxPayoutFails } from "./sandbox.js";
export type {
  DepositRequest,
  DepositStart,
  PaymentProvider,
  ProviderName,
  WithdrawalRequest,
  WithdrawalStart,
} from "./types.js";
export { PROVIDER_NAMES } from "./types.js";
export type { WebhookEvent } from "./webhook-event.js";
export { parseProviderWebhook } from "./webhooks.js";

/** The providers this deployment can use: sandbox always, Stripe and Coinbase when their keys are set. */
export function enabledProviders(ctx: Pick<AppContext, "config">): ProviderName[] {
  const names: ProviderName[] = ["sandbox"];
  if (ctx.config.STRIPE_SECRET_KEY && ctx.config.STRIPE_WEBHOOK_SECRET) names.push("stripe");
  if (ctx.config.COINBASE_COMMERCE_API_KEY && ctx.config.COINBASE_WEBHOOK_SECRET) names.push("coinbase");
  return names;
}

/** The named provider, or 400 `validation_failed` when this deployment has not enabled it. */
export function getProvider(ctx: Pick<AppContext, "config" | "jobs">, name: ProviderName): PaymentProvider {
  const enabled = enabledProviders(ctx);
  if (!enabled.includes(name)) {
    throw new AppError("validation_failed", `The payment provider "${name}" is not enabled here`, {
      fields: [{ path: "body.provider", message: `enabled providers: ${enabled.join(", ")}` }],
    });
  }
  switch (name) {
    case "sandbox":
      return createSandboxProvider(ctx);
    case "stripe":
      return createStripeProvider(ctx.config);
    case "coinbase":
      return createCoinbaseProvider(ctx.config);
  }
}
