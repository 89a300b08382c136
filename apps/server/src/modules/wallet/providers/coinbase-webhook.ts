import { AppError } from "../../../platform/http/errors.js";
import { hmacHex, parseJsonObject, pathOf, signaturesMatch, type WebhookEvent } from "./webhook-event.js";

const OUTCOMES: Record<string, "succeeded" | "failed"> = {
  "charge:confirmed": "succeeded",
  "charge:failed": "failed",
};

/**
 * Verifies `X-CC-Webhook-Signature` (hex HMAC-SHA256 of the raw body under the shared secret, compared in
 * constant time) and reads the event: a confirmed or failed charge settles the deposit it belongs to.
 * Throws 400 `invalid_signature` for a missing or wrong signature.
 */
export function parseCoinbaseWebhook(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): WebhookEvent {
  if (!header) throw new AppError("invalid_signature", "Missing X-CC-Webhook-Signature header");
  if (!signaturesMatch(hmacHex(secret, rawBody), header.trim())) {
    throw new AppError("invalid_signature", "The Coinbase Commerce signature does not match");
  }
  const body = parseJsonObject(rawBody);
  const eventId = pathOf(body, "event", "id");
  const type = pathOf(body, "event", "type");
  if (typeof eventId !== "string" || typeof type !== "string") {
    throw new AppError("validation_failed", "The Coinbase Commerce event has no id or type");
  }
  const outcome = OUTCOMES[type];
  const chargeId = pathOf(body, "event", "data", "id");
  if (!outcome || typeof chargeId !== "string") return { eventId, type, settles: null };
  return { eventId, type, settles: { kind: "deposit", providerRef: chargeId, outcome } };
}
