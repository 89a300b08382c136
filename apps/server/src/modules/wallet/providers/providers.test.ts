import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeCoinbase, startFakeCoinbase } from "../../../../test/fakes/coinbase.js";
import { type FakeStripe, startFakeStripe } from "../../../../test/fakes/stripe.js";
import { loadConfig } from "../../../config.js";
import { MemoryJobQueue } from "../../../platform/jobs/index.js";
import { enabledProviders, getProvider } from "./index.js";

const BASE_ENV = { NODE_ENV: "test", JWT_SECRET: "test-secret-test-secret-test-secret-0123456789" };

describe("payment providers", () => {
  let stripe: FakeStripe;
  let coinbase: FakeCoinbase;
  const jobs = new MemoryJobQueue(pino({ level: "silent" }));
  const ctxWith = (env: Record<string, string>) => ({ config: loadConfig({ ...BASE_ENV, ...env }), jobs });

  beforeAll(async () => {
    [stripe, coinbase] = await Promise.all([startFakeStripe(), startFakeCoinbase()]);
  });
  afterAll(async () => {
    await Promise.all([stripe?.close(), coinbase?.close(), jobs.stop()]);
  });

  it("offers only the sandbox until a provider's keys are set", () => {
    expect(enabledProviders(ctxWith({}))).toEqual(["sandbox"]);
    expect(enabledProviders(ctxWith({ STRIPE_SECRET_KEY: "sk_test_x" }))).toEqual(["sandbox"]);
    expect(enabledProviders(ctxWith({ ...stripe.env, ...coinbase.env }))).toEqual([
      "sandbox",
      "stripe",
      "coinbase",
    ]);
    expect(() => getProvider(ctxWith({}), "stripe")).toThrow(
      expect.objectContaining({ code: "validation_failed", status: 400 }),
    );
  });

  it("completes a sandbox deposit at once", async () => {
    const started = await getProvider(ctxWith({}), "sandbox").startDeposit({
      depositId: "dep-1",
      userId: "u-1",
      asset: "USD",
      amount: 1250n,
    });
    expect(started).toEqual({ status: "completed", providerRef: "sbx_dep_dep-1" });
  });

  it("creates one Stripe PaymentIntent per deposit, in cents, and leaves the deposit pending", async () => {
    const provider = getProvider(ctxWith(stripe.env), "stripe");
    const request = {
      depositId: "7d3c0f1e-0000-4000-8000-000000000001",
      userId: "u-1",
      asset: "EUR",
      amount: 1999n,
    };
    const first = await provider.startDeposit(request);
    const retry = await provider.startDeposit(request);
    expect(first.status).toBe("pending");
    expect(first.providerRef).toMatch(/^pi_/);
    expect(first.clientSecret).toMatch(new RegExp(`^${first.providerRef}_secret_`));
    expect(retry.providerRef).toBe(first.providerRef);
    expect(stripe.intents.get(first.providerRef)).toMatchObject({
      amount: 1999,
      currency: "eur",
      metadata: { depositId: request.depositId, userId: "u-1" },
    });
    const sent = stripe.requests.at(-1);
    expect(sent?.headers["idempotency-key"]).toBe(`deposit-${request.depositId}`);
    expect(sent?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("refuses crypto through Stripe, reports Stripe's refusals and outages", async () => {
    const provider = getProvider(ctxWith(stripe.env), "stripe");
    const deposit = { depositId: "d", userId: "u", asset: "BTC", amount: 1000n };
    await expect(provider.startDeposit(deposit)).rejects.toMatchObject({
      code: "validation_failed",
      status: 400,
    });
    // The fake, like Stripe, refuses amounts under 50 cents.
    await expect(provider.startDeposit({ ...deposit, asset: "USD", amount: 10n })).rejects.toMatchObject({
      code: "payment_rejected",
      status: 422,
    });
    const down = getProvider(ctxWith({ ...stripe.env, STRIPE_API_URL: "http://127.0.0.1:9" }), "stripe");
    await expect(down.startDeposit({ ...deposit, asset: "USD" })).rejects.toMatchObject({
      code: "unavailable",
      status: 503,
    });
    await expect(
      provider.startWithdrawal({
        withdrawalId: "w",
        userId: "u",
        asset: "USD",
        amount: 100n,
        destination: "x",
      }),
    ).rejects.toMatchObject({ code: "validation_failed" });
  });

  it("creates a Coinbase Commerce charge priced in the asset's decimal amount", async () => {
    const provider = getProvider(ctxWith(coinbase.env), "coinbase");
    const started = await provider.startDeposit({
      depositId: "dep-9",
      userId: "u-9",
      asset: "BTC",
      amount: 1_500_000n,
    });
    expect(started.status).toBe("pending");
    const charge = coinbase.charges.get(started.providerRef);
    expect(charge?.local_price).toEqual({ amount: "0.01500000", currency: "BTC" });
    expect(charge?.metadata).toEqual({ depositId: "dep-9", userId: "u-9" });
    expect(started.checkoutUrl).toBe(charge?.hosted_url);
    await expect(
      provider.startDeposit({ depositId: "d", userId: "u", asset: "USD", amount: 100n }),
    ).rejects.toMatchObject({ code: "validation_failed" });
  });
});
