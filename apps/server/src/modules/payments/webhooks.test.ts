import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coinbaseEvent,
  coinbaseSignature,
  type FakeCoinbase,
  startFakeCoinbase,
} from "../../../test/fakes/coinbase.js";
import { postWebhook } from "../../../test/fakes/post-webhook.js";
import {
  type FakeStripe,
  startFakeStripe,
  stripeEvent,
  stripeSignature,
} from "../../../test/fakes/stripe.js";
import { engines, startTestServer, type TestServer } from "../../../test/harness.js";

async function webhookRows(server: TestServer): Promise<number> {
  const { rows } = await server.platform.db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM webhook_events",
  );
  return Number(rows[0]?.n);
}

describe.each(engines)("payment webhooks on %s", (engine) => {
  let server: TestServer;
  let stripe: FakeStripe;
  let coinbase: FakeCoinbase;

  beforeAll(async () => {
    [stripe, coinbase] = await Promise.all([startFakeStripe(), startFakeCoinbase()]);
    server = await startTestServer(engine, { ...stripe.env, ...coinbase.env });
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([stripe?.close(), coinbase?.close()]);
  });

  const stripeHeaders = (body: string, t?: number) => ({
    "stripe-signature": stripeSignature(body, stripe.webhookSecret, t),
  });

  it("refuses a Stripe webhook whose signature does not match with 400 invalid_signature", async () => {
    const body = stripeEvent("payment_intent.succeeded", { id: `pi_${randomUUID()}` });
    const before = await webhookRows(server);
    const forged = await postWebhook(server, "stripe", body, {
      "stripe-signature": stripeSignature(body, "whsec_guessed"),
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe("invalid_signature");
    const tampered = await postWebhook(
      server,
      "stripe",
      body.replace("succeeded", "payment_failed"),
      stripeHeaders(body),
    );
    expect(tampered.status).toBe(400);
    const unsigned = await postWebhook(server, "stripe", body, {});
    expect(unsigned.body.error.code).toBe("invalid_signature");
    expect(await webhookRows(server)).toBe(before);
  });

  it("refuses a correctly signed Stripe webhook whose timestamp is more than 300 s old", async () => {
    const body = stripeEvent("payment_intent.succeeded", { id: `pi_${randomUUID()}` });
    const stale = await postWebhook(
      server,
      "stripe",
      body,
      stripeHeaders(body, Math.floor(Date.now() / 1000) - 301),
    );
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe("invalid_signature");
  });

  it("refuses a Coinbase webhook whose signature does not match", async () => {
    const body = coinbaseEvent("charge:confirmed", { id: randomUUID() });
    const forged = await postWebhook(server, "coinbase", body, {
      "x-cc-webhook-signature": coinbaseSignature(body, "guessed"),
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe("invalid_signature");
  });

  it("acknowledges a signed webhook for an unknown payment without changing anything, and a replay once", async () => {
    for (const provider of ["stripe", "coinbase"] as const) {
      const body =
        provider === "stripe"
          ? stripeEvent("payment_intent.succeeded", { id: `pi_${randomUUID()}` })
          : coinbaseEvent("charge:confirmed", { id: randomUUID() });
      const headers =
        provider === "stripe"
          ? stripeHeaders(body)
          : { "x-cc-webhook-signature": coinbaseSignature(body, coinbase.webhookSecret) };
      const first = await postWebhook(server, provider, body, headers);
      expect([first.status, first.body]).toEqual([
        200,
        { received: true, duplicate: false, outcome: "unknown" },
      ]);
      const replay = await postWebhook(server, provider, body, headers);
      expect([replay.status, replay.body]).toEqual([200, { received: true, duplicate: true, outcome: null }]);
    }
  });

  it("acknowledges event types it does not act on", async () => {
    const body = stripeEvent("customer.created", { id: "cus_1" });
    const res = await postWebhook(server, "stripe", body, stripeHeaders(body));
    expect([res.status, res.body]).toEqual([200, { received: true, duplicate: false, outcome: "ignored" }]);
  });

  it("answers 404 for a provider that does not exist and 400 for one that sends no webhooks", async () => {
    const body = JSON.stringify({ id: "evt_1" });
    expect((await postWebhook(server, "paypal", body, {})).status).toBe(404);
    const sandbox = await postWebhook(server, "sandbox", body, {});
    expect(sandbox.status).toBe(400);
    expect(sandbox.body.error.code).toBe("validation_failed");
  });
});

describe.each(engines)("payment webhooks without provider keys on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine, { RATE_LIMIT_IP: "3/1m" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses webhooks for a provider that is not enabled, and limits each IP's rate", async () => {
    const body = stripeEvent("payment_intent.succeeded", { id: "pi_1" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postWebhook(server, "stripe", body, {})).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
  });
});
