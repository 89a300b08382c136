import { createHmac, randomBytes } from "node:crypto";
import { type FakeServer, startFakeServer } from "./http-fake.js";

export interface FakePaymentIntent {
  id: string;
  amount: number;
  currency: string;
  client_secret: string;
  status: string;
  metadata: Record<string, string>;
}

export interface FakeStripe extends FakeServer {
  secretKey: string;
  webhookSecret: string;
  /** PaymentIntents created, by id. */
  intents: Map<string, FakePaymentIntent>;
  /** The env that points Softchat at this fake. */
  env: Record<string, string>;
}

/**
 * Imitates the part of Stripe's API Softchat calls: `POST /v1/payment_intents` (form-encoded, Bearer secret
 * key, Idempotency-Key honoured as Stripe does: the same key returns the same PaymentIntent).
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  const secretKey = `sk_test_${randomBytes(8).toString("hex")}`;
  const webhookSecret = `whsec_${randomBytes(16).toString("hex")}`;
  const intents = new Map<string, FakePaymentIntent>();
  const byIdempotencyKey = new Map<string, FakePaymentIntent>();
  const server = await startFakeServer((req) => {
    if (req.method !== "POST" || req.path !== "/v1/payment_intents") {
      return { status: 404, body: { error: { type: "invalid_request_error", message: "Unrecognized URL" } } };
    }
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      return { status: 401, body: { error: { type: "invalid_request_error", message: "Invalid API Key" } } };
    }
    const key = req.headers["idempotency-key"];
    const replay = typeof key === "string" ? byIdempotencyKey.get(key) : undefined;
    if (replay) return { status: 200, body: replay };
    const form = new URLSearchParams(req.body);
    const amount = Number(form.get("amount"));
    const currency = form.get("currency") ?? "";
    if (!Number.isInteger(amount) || amount < 50 || !["usd", "eur"].includes(currency)) {
      return { status: 400, body: { error: { type: "invalid_request_error", message: "Invalid amount" } } };
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of form) {
      const m = /^metadata\[(.+)\]$/.exec(name);
      if (m?.[1]) metadata[m[1]] = value;
    }
    const id = `pi_${randomBytes(12).toString("hex")}`;
    const intent: FakePaymentIntent = {
      id,
      amount,
      currency,
      client_secret: `${id}_secret_${randomBytes(8).toString("hex")}`,
      status: "requires_payment_method",
      metadata,
    };
    intents.set(id, intent);
    if (typeof key === "string") byIdempotencyKey.set(key, intent);
    return { status: 200, body: intent };
  });
  return {
    ...server,
    secretKey,
    webhookSecret,
    intents,
    env: { STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_URL: server.url },
  };
}

/** A Stripe event body for a PaymentIntent, as Stripe posts it to a webhook endpoint. */
export function stripeEvent(
  type: "payment_intent.succeeded" | "payment_intent.payment_failed" | string,
  intent: Pick<FakePaymentIntent, "id"> & Partial<FakePaymentIntent>,
  eventId = `evt_${randomBytes(12).toString("hex")}`,
): string {
  return JSON.stringify({
    id: eventId,
    object: "event",
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object: { object: "payment_intent", ...intent } },
  });
}

/** The `Stripe-Signature` header Stripe sends: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function stripeSignature(body: string, secret: string, timestampSec = Math.floor(Date.now() / 1000)) {
  const v1 = createHmac("sha256", secret).update(`${timestampSec}.${body}`).digest("hex");
  return `t=${timestampSec},v1=${v1}`;
}
