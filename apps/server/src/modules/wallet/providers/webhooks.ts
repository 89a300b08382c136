import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "../../../config.js";
import { AppError } from "../../../platform/http/errors.js";
import { parseCoinbaseWebhook } from "./coinbase-webhook.js";
import { parseStripeWebhook } from "./stripe-webhook.js";
import type { ProviderName } from "./types.js";
import type { WebhookEvent } from "./webhook-event.js";

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a webhook of an enabled provider against its signing secret and reads it. Throws 400
 * `invalid_signature` for a bad signature and 400 `validation_failed` for a provider that sends none.
 */
export function parseProviderWebhook(
  config: Config,
  provider: ProviderName,
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
): WebhookEvent {
  if (provider === "stripe" && config.STRIPE_WEBHOOK_SECRET) {
    return parseStripeWebhook(rawBody, header(headers, "stripe-signature"), {
      secret: config.STRIPE_WEBHOOK_SECRET,
      toleranceSec: config.STRIPE_WEBHOOK_TOLERANCE_SEC,
    });
  }
  if (provider === "coinbase" && config.COINBASE_WEBHOOK_SECRET) {
    return parseCoinbaseWebhook(
      rawBody,
      header(headers, "x-cc-webhook-signature"),
      config.COINBASE_WEBHOOK_SECRET,
    );
  }
  throw new AppError("validation_failed", `The payment provider "${provider}" sends no webhooks here`);
}
