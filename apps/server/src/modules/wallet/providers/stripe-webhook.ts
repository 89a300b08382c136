import { AppError } from "../../../platform/http/errors.js";
import { hmacHex, parseJsonObject, pathOf, signaturesMatch, type WebhookEvent } from "./webhook-event.js";

const OUTCOMES: Record<string, "succeeded" | "failed"> = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.payment_failed": "failed",
};

export interface StripeVerifyOptions {
  secret: string;
  toleranceSec: number;
  /** Current time in seconds (tests pass a fixed one). */
  nowSec?: number;
}

/**
 * Verifies a `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]` header: one v1 must equal HMAC-SHA256 of
 * `${t}.${rawBody}` under the webhook secret (constant-time compare), and t must be within the tolerance,
 * so a captured webhook cannot be replayed later. Throws 400 `invalid_signature` otherwise.
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | undefined,
  opts: StripeVerifyOptions,
) {
  if (!header) throw new AppError("invalid_signature", "Missing Stripe-Signature header");
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") timestamp = value;
    else if (key === "v1") signatures.push(value);
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    throw new AppError("invalid_signature", "Malformed Stripe-Signature header");
  }
  const expected = hmacHex(opts.secret, Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]));
  if (!signatures.some((given) => signaturesMatch(expected, given))) {
    throw new AppError("invalid_signature", "The Stripe signature does not match");
  }
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > opts.toleranceSec) {
    throw new AppError("invalid_signature", "The Stripe signature timestamp is outside the tolerance", {
      toleranceSec: opts.toleranceSec,
    });
  }
}

/** Verifies and reads a Stripe webhook: PaymentIntent succeeded/failed settle the deposit it belongs to. */
export function parseStripeWebhook(
  rawBody: Buffer,
  header: string | undefined,
  opts: StripeVerifyOptions,
): WebhookEvent {
  verifyStripeSignature(rawBody, header, opts);
  const event = parseJsonObject(rawBody);
  const eventId = event?.id;
  const type = event?.type;
  if (typeof eventId !== "string" || typeof type !== "string") {
    throw new AppError("validation_failed", "The Stripe event has no id or type");
  }
  const outcome = OUTCOMES[type];
  const intentId = pathOf(event, "data", "object", "id");
  if (!outcome || typeof intentId !== "string") return { eventId, type, settles: null };
  return { eventId, type, settles: { kind: "deposit", providerRef: intentId, outcome } };
}
