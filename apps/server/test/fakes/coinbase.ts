import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { type FakeServer, startFakeServer } from "./http-fake.js";

export interface FakeCharge {
  id: string;
  code: string;
  hosted_url: string;
  pricing_type: string;
  local_price: { amount: string; currency: string };
  metadata: Record<string, string>;
}

export interface FakeCoinbase extends FakeServer {
  apiKey: string;
  webhookSecret: string;
  charges: Map<string, FakeCharge>;
  /** The env that points Softchat at this fake. */
  env: Record<string, string>;
}

/** Imitates the part of Coinbase Commerce's API Softchat calls: `POST /charges` with `X-CC-Api-Key`. */
export async function startFakeCoinbase(): Promise<FakeCoinbase> {
  const apiKey = randomBytes(12).toString("hex");
  const webhookSecret = randomBytes(16).toString("hex");
  const charges = new Map<string, FakeCharge>();
  const server = await startFakeServer((req) => {
    if (req.method !== "POST" || req.path !== "/charges") {
      return { status: 404, body: { error: { type: "not_found", message: "Not found" } } };
    }
    if (req.headers["x-cc-api-key"] !== apiKey) {
      return { status: 401, body: { error: { type: "authorization_error", message: "No such API key" } } };
    }
    const input = JSON.parse(req.body) as Omit<FakeCharge, "id" | "code" | "hosted_url">;
    if (!input.local_price || !/^\d+(\.\d+)?$/.test(input.local_price.amount)) {
      return { status: 400, body: { error: { type: "invalid_request", message: "local_price is invalid" } } };
    }
    const code = randomBytes(4).toString("hex").toUpperCase();
    const charge: FakeCharge = {
      id: randomUUID(),
      code,
      hosted_url: `https://commerce.example.test/charges/${code}`,
      pricing_type: input.pricing_type,
      local_price: input.local_price,
      metadata: input.metadata ?? {},
    };
    charges.set(charge.id, charge);
    return { status: 201, body: { data: charge } };
  });
  return {
    ...server,
    apiKey,
    webhookSecret,
    charges,
    env: {
      COINBASE_COMMERCE_API_KEY: apiKey,
      COINBASE_WEBHOOK_SECRET: webhookSecret,
      COINBASE_API_URL: server.url,
    },
  };
}

/** A Coinbase Commerce webhook body for a charge event (`charge:confirmed`, `charge:failed`, ...). */
export function coinbaseEvent(
  type: string,
  charge: Pick<FakeCharge, "id"> & Partial<FakeCharge>,
  eventId: string = randomUUID(),
): string {
  return JSON.stringify({
    id: randomUUID(),
    scheduled_for: new Date().toISOString(),
    attempt_number: 1,
    event: {
      id: eventId,
      resource: "event",
      type,
      api_version: "2018-03-22",
      created_at: new Date().toISOString(),
      data: { resource: "charge", ...charge },
    },
  });
}

/** The `X-CC-Webhook-Signature` header: hex HMAC-SHA256 of the raw body under the shared secret. */
export function coinbaseSignature(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}
