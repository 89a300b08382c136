import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/factories.js";
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
import { engines, eventually, startTestServer, type TestServer } from "../../../test/harness.js";
import { balanceOf, deposit, ledgerInvariants } from "../../../test/wallet/helpers.js";
import { sealAuditLog, verifyAuditChain } from "../../platform/audit/index.js";

describe.each(engines)("payments through providers on %s", (engine) => {
  let server: TestServer;
  let stripe: FakeStripe;
  let coinbase: FakeCoinbase;

  beforeAll(async () => {
    [stripe, coinbase] = await Promise.all([startFakeStripe(), startFakeCoinbase()]);
    server = await startTestServer(engine, { ...stripe.env, ...coinbase.env, SANDBOX_CONFIRM_MS: "150" });
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([stripe?.close(), coinbase?.close()]);
  });

  async function startDeposit(user: TestUser, body: { asset: string; amount: string; provider: string }) {
    const res = await server.request("POST", `/api/wallet/${user.id}/deposits`, {
      token: user.token,
      body,
      headers: { "idempotency-key": randomUUID() },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.deposit as {
      id: string;
      status: string;
      clientSecret: string | null;
      checkoutUrl: string | null;
    };
  }

  function stripeWebhook(type: string, intentId: string, eventId?: string) {
    const body = stripeEvent(type, { id: intentId }, eventId);
    return postWebhook(server, "stripe", body, {
      "stripe-signature": stripeSignature(body, stripe.webhookSecret),
    });
  }

  function coinbaseWebhook(type: string, chargeId: string, eventId?: string) {
    const body = coinbaseEvent(type, { id: chargeId }, eventId);
    return postWebhook(server, "coinbase", body, {
      "x-cc-webhook-signature": coinbaseSignature(body, coinbase.webhookSecret),
    });
  }

  const intentOf = (depositId: string) =>
    [...stripe.intents.values()].find((i) => i.metadata.depositId === depositId);

  it("credits a Stripe deposit exactly once when its signed payment_intent.succeeded arrives, however often", async () => {
    const user = await createUser(server.platform);
    const dep = await startDeposit(user, { asset: "USD", amount: "25.00", provider: "stripe" });
    expect(dep.status).toBe("pending");
    const intent = intentOf(dep.id);
    expect(intent).toMatchObject({ amount: 2500, currency: "usd" });
    expect(dep.clientSecret).toBe(intent?.client_secret);
    expect((await balanceOf(server, user, "USD")).available).toBe("0.00");

    const eventId = `evt_${randomUUID()}`;
    const first = await stripeWebhook("payment_intent.succeeded", intent?.id ?? "", eventId);
    expect(first.body).toEqual({ received: true, duplicate: false, outcome: "settled" });
    expect(await balanceOf(server, user, "USD")).toMatchObject({ available: "25.00", total: "25.00" });

    const replay = await stripeWebhook("payment_intent.succeeded", intent?.id ?? "", eventId);
    expect([replay.status, replay.body]).toEqual([200, { received: true, duplicate: true, outcome: null }]);
    // Stripe may also send the same outcome again under a new event id: the deposit is already settled.
    const resent = await stripeWebhook("payment_intent.succeeded", intent?.id ?? "");
    expect(resent.body.outcome).toBe("already_settled");
    const lateFailure = await stripeWebhook("payment_intent.payment_failed", intent?.id ?? "");
    expect(lateFailure.body.outcome).toBe("already_settled");
    expect(await balanceOf(server, user, "USD")).toMatchObject({ available: "25.00", total: "25.00" });
  });

  it("credits nothing when Stripe reports the payment failed", async () => {
    const user = await createUser(server.platform);
    const dep = await startDeposit(user, { asset: "EUR", amount: "40.00", provider: "stripe" });
    const failed = await stripeWebhook("payment_intent.payment_failed", intentOf(dep.id)?.id ?? "");
    expect(failed.body.outcome).toBe("settled");
    const success = await stripeWebhook("payment_intent.succeeded", intentOf(dep.id)?.id ?? "");
    expect(success.body.outcome).toBe("already_settled");
    expect((await balanceOf(server, user, "EUR")).total).toBe("0.00");
  });

  it("credits a Coinbase crypto deposit once when its signed charge:confirmed arrives; a replay changes nothing", async () => {
    const user = await createUser(server.platform);
    const dep = await startDeposit(user, { asset: "BTC", amount: "0.015", provider: "coinbase" });
    expect(dep.status).toBe("pending");
    const charge = [...coinbase.charges.values()].find((c) => c.metadata.depositId === dep.id);
    expect(charge?.local_price).toEqual({ amount: "0.01500000", currency: "BTC" });
    expect(dep.checkoutUrl).toBe(charge?.hosted_url);

    const eventId = randomUUID();
    expect((await coinbaseWebhook("charge:confirmed", charge?.id ?? "", eventId)).body.outcome).toBe(
      "settled",
    );
    expect((await coinbaseWebhook("charge:confirmed", charge?.id ?? "", eventId)).body.duplicate).toBe(true);
    expect(await balanceOf(server, user, "BTC")).toMatchObject({
      available: "0.01500000",
      total: "0.01500000",
    });
  });

  it("changes no balance for a signed webhook about a payment nobody started", async () => {
    const user = await createUser(server.platform);
    await deposit(server, user, "USD", "10.00");
    const before = await server.platform.db.query("SELECT * FROM ledger_accounts ORDER BY id");
    const res = await stripeWebhook("payment_intent.succeeded", `pi_${randomUUID()}`);
    expect([res.status, res.body]).toEqual([200, { received: true, duplicate: false, outcome: "unknown" }]);
    const after = await server.platform.db.query("SELECT * FROM ledger_accounts ORDER BY id");
    expect(after.rows).toEqual(before.rows);
  });

  async function withdraw(user: TestUser, amount: string, destination: string) {
    const res = await server.request("POST", `/api/wallet/${user.id}/withdrawals`, {
      token: user.token,
      body: { asset: "USD", amount, destination },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.withdrawal as { id: string; status: string };
  }

  async function withdrawalStatus(id: string): Promise<string | undefined> {
    const audit = await server.platform.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE subject_type = 'withdrawal' AND subject_id = $1 ORDER BY id DESC LIMIT 1",
      [id],
    );
    return audit.rows[0]?.action;
  }

  it("holds a sandbox withdrawal's funds, then posts them once the simulated confirmation arrives", async () => {
    const user = await createUser(server.platform);
    await deposit(server, user, "USD", "50.00");
    const w = await withdraw(user, "20.00", "bank-account-123");
    expect(w.status).toBe("pending");
    await eventually(async () => {
      expect(await balanceOf(server, user, "USD")).toEqual({
        asset: "USD",
        available: "30.00",
        pending: "0.00",
        total: "30.00",
      });
    });
    expect(await withdrawalStatus(w.id)).toBe("wallet.withdrawal.completed");
  });

  it("voids a sandbox withdrawal to a destination starting with 'fail' and gives the funds back", async () => {
    const user = await createUser(server.platform);
    await deposit(server, user, "USD", "50.00");
    const w = await withdraw(user, "20.00", "fail-this-payout");
    expect(w.status).toBe("pending");
    await eventually(async () => expect(await withdrawalStatus(w.id)).toBe("wallet.withdrawal.failed"));
    expect(await balanceOf(server, user, "USD")).toEqual({
      asset: "USD",
      available: "50.00",
      pending: "0.00",
      total: "50.00",
    });
  });

  it("flags large movements made through the wallet for admin review", async () => {
    const admin = await createUser(server.platform, { role: "admin" });
    const user = await createUser(server.platform, { kycLevel: 3 });
    await deposit(server, user, "USD", "15000.00");
    await withdraw(user, "10000.00", "bank-account-9");
    await eventually(async () => {
      const res = await server.request("GET", `/api/admin/aml/flags?userId=${user.id}`, {
        token: admin.token,
      });
      expect(res.body.items.map((f: { rule: string }) => f.rule)).toEqual([
        "large_transaction",
        "large_transaction",
      ]);
    }, 10_000);
  });

  it("leaves the ledger balanced and the audit chain intact after all of the above", async () => {
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
    await sealAuditLog(server.platform.db);
    const { rows } = await server.platform.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM audit_log",
    );
    expect(await verifyAuditChain(server.platform.db)).toEqual({
      ok: true,
      rows: Number(rows[0]?.n),
      unsealed: 0,
    });
  });
});
