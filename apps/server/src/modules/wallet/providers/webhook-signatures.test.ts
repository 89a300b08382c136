import { describe, expect, it } from "vitest";
import { coinbaseEvent, coinbaseSignature } from "../../../../test/fakes/coinbase.js";
import { stripeEvent, stripeSignature } from "../../../../test/fakes/stripe.js";
import { parseCoinbaseWebhook } from "./coinbase-webhook.js";
import { parseStripeWebhook } from "./stripe-webhook.js";

const SECRET = "whsec_test_secret";
const NOW = 1_760_000_000;
const opts = { secret: SECRET, toleranceSec: 300, nowSec: NOW };
const invalid = expect.objectContaining({ code: "invalid_signature", status: 400 });

describe("Stripe webhook signatures", () => {
  const body = stripeEvent("payment_intent.succeeded", { id: "pi_123" }, "evt_1");
  const raw = Buffer.from(body);

  it("accepts a body signed with the endpoint secret and names the PaymentIntent it settles", () => {
    expect(parseStripeWebhook(raw, stripeSignature(body, SECRET, NOW), opts)).toEqual({
      eventId: "evt_1",
      type: "payment_intent.succeeded",
      settles: { kind: "deposit", providerRef: "pi_123", outcome: "succeeded" },
    });
  });

  it("accepts the header when any of several v1 signatures matches (secret rotation)", () => {
    const good = stripeSignature(body, SECRET, NOW);
    const header = `t=${NOW},v1=${"0".repeat(64)},${good.split(",")[1]},v0=ignored`;
    expect(parseStripeWebhook(raw, header, opts).eventId).toBe("evt_1");
  });

  it("refuses a changed body, another secret, a missing or malformed header", () => {
    const header = stripeSignature(body, SECRET, NOW);
    expect(() => parseStripeWebhook(Buffer.from(body.replace("pi_123", "pi_999")), header, opts)).toThrow(
      invalid,
    );
    expect(() => parseStripeWebhook(raw, stripeSignature(body, "whsec_other", NOW), opts)).toThrow(invalid);
    expect(() => parseStripeWebhook(raw, undefined, opts)).toThrow(invalid);
    expect(() => parseStripeWebhook(raw, `v1=${header.split("v1=")[1]}`, opts)).toThrow(invalid);
    expect(() => parseStripeWebhook(raw, `t=${NOW},v1=zz`, opts)).toThrow(invalid);
  });

  it("refuses a signature older (or newer) than the 300 s tolerance, even when it matches", () => {
    expect(() => parseStripeWebhook(raw, stripeSignature(body, SECRET, NOW - 301), opts)).toThrow(invalid);
    expect(() => parseStripeWebhook(raw, stripeSignature(body, SECRET, NOW + 301), opts)).toThrow(invalid);
    expect(parseStripeWebhook(raw, stripeSignature(body, SECRET, NOW - 300), opts).eventId).toBe("evt_1");
  });

  it("maps payment failures to a failed deposit and ignores other event types", () => {
    const failed = stripeEvent("payment_intent.payment_failed", { id: "pi_5" }, "evt_2");
    expect(
      parseStripeWebhook(Buffer.from(failed), stripeSignature(failed, SECRET, NOW), opts).settles,
    ).toEqual({
      kind: "deposit",
      providerRef: "pi_5",
      outcome: "failed",
    });
    const other = stripeEvent("charge.refunded", { id: "ch_1" }, "evt_3");
    expect(
      parseStripeWebhook(Buffer.from(other), stripeSignature(other, SECRET, NOW), opts).settles,
    ).toBeNull();
  });
});

describe("Coinbase Commerce webhook signatures", () => {
  const body = coinbaseEvent("charge:confirmed", { id: "charge-1" }, "event-1");
  const raw = Buffer.from(body);

  it("accepts a body signed with the shared secret and names the charge it settles", () => {
    expect(parseCoinbaseWebhook(raw, coinbaseSignature(body, SECRET), SECRET)).toEqual({
      eventId: "event-1",
      type: "charge:confirmed",
      settles: { kind: "deposit", providerRef: "charge-1", outcome: "succeeded" },
    });
    const failed = coinbaseEvent("charge:failed", { id: "charge-2" }, "event-2");
    expect(
      parseCoinbaseWebhook(Buffer.from(failed), coinbaseSignature(failed, SECRET), SECRET).settles?.outcome,
    ).toBe("failed");
  });

  it("refuses a changed body, another secret or a missing signature", () => {
    const signature = coinbaseSignature(body, SECRET);
    expect(() => parseCoinbaseWebhook(Buffer.from(`${body} `), signature, SECRET)).toThrow(invalid);
    expect(() => parseCoinbaseWebhook(raw, coinbaseSignature(body, "other"), SECRET)).toThrow(invalid);
    expect(() => parseCoinbaseWebhook(raw, undefined, SECRET)).toThrow(invalid);
    expect(() => parseCoinbaseWebhook(raw, "not-hex", SECRET)).toThrow(invalid);
  });
});
