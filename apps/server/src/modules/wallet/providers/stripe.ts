import type { Config } from "../../../config.js";
import { AppError } from "../../../platform/http/errors.js";
import { postToProvider, requireString } from "./provider-http.js";
import type { PaymentProvider } from "./types.js";

/** Fiat assets Stripe takes; their minor units are Stripe's smallest currency units (cents). */
const STRIPE_CURRENCIES: Record<string, string> = { USD: "usd", EUR: "eur" };

/**
 * Stripe: a deposit creates a PaymentIntent that the web app confirms with Stripe.js; it stays pending
 * until the `payment_intent.succeeded` or `payment_intent.payment_failed` webhook settles it.
 * Payouts are not supported through Stripe.
 */
export function createStripeProvider(config: Config): PaymentProvider {
  const secretKey = config.STRIPE_SECRET_KEY ?? "";
  return {
    name: "stripe",
    async startDeposit({ depositId, userId, asset, amount }) {
      const currency = STRIPE_CURRENCIES[asset];
      if (!currency) {
        throw new AppError("validation_failed", "Stripe takes USD and EUR deposits only", {
          fields: [{ path: "body.asset", message: "use USD or EUR with Stripe" }],
        });
      }
      const form = new URLSearchParams({
        amount: amount.toString(),
        currency,
        "automatic_payment_methods[enabled]": "true",
        "metadata[depositId]": depositId,
        "metadata[userId]": userId,
      });
      const intent = await postToProvider({
        provider: "Stripe",
        url: new URL("/v1/payment_intents", config.STRIPE_API_URL).toString(),
        headers: {
          authorization: `Bearer ${secretKey}`,
          "content-type": "application/x-www-form-urlencoded",
          // A retried deposit must not create a second PaymentIntent.
          "idempotency-key": `deposit-${depositId}`,
        },
        body: form.toString(),
        timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
      });
      return {
        status: "pending",
        providerRef: requireString(intent, "id", "Stripe"),
        clientSecret: requireString(intent, "client_secret", "Stripe"),
      };
    },
    async startWithdrawal() {
      throw new AppError("validation_failed", "Withdrawals through Stripe are not supported; use sandbox");
    },
  };
}
