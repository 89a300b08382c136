import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../../../test/harness.js";
import { balanceOf, deposit, ledgerInvariants, sendTransfer } from "../../../test/wallet/helpers.js";
import { fixedPriceSource, setPriceSource } from "./pricing.js";

describe.each(engines)("concurrent outflows and KYC limits on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine, { SANDBOX_CONFIRM_MS: "60000" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("100 concurrent transfers of 10 from an account holding 100: exactly 10 succeed, 90 insufficient_funds", async () => {
    const a = await createUser(server.platform, { kycLevel: 3 });
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "100.00");
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => sendTransfer(server, a, { to: b.id, asset: "USD", amount: "10" })),
    );
    const codes = replies.map((r) => (r.status === 201 ? "ok" : r.body.error.code));
    expect(codes.filter((c) => c === "ok")).toHaveLength(10);
    expect(codes.filter((c) => c === "insufficient_funds")).toHaveLength(90);
    expect((await balanceOf(server, a, "USD")).available).toBe("0.00");
    expect((await balanceOf(server, b, "USD")).available).toBe("100.00");
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
  });

  it("20 concurrent withdrawals that together exceed the KYC limit let through exactly what fits", async () => {
    const a = await createUser(server.platform, { kycLevel: 1 });
    await deposit(server, a, "USD", "1000.00");
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.request("POST", `/api/wallet/${a.id}/withdrawals`, {
          token: a.token,
          body: { asset: "USD", amount: "15.00", destination: "bank-9" },
          headers: { "idempotency-key": randomUUID() },
        }),
      ),
    );
    const ok = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status === 422);
    // $100 a day at level 1: six withdrawals of $15 fit ($90), the seventh would make $105.
    expect(ok).toHaveLength(6);
    expect(refused).toHaveLength(14);
    for (const r of refused) {
      expect(r.body.error.code).toBe("kyc_limit_exceeded");
      expect(r.body.error.details.remaining).toBe("10.00");
    }
    expect(await balanceOf(server, a, "USD")).toMatchObject({ available: "910.00", pending: "90.00" });
    const notes = await server.request("GET", `/api/notifications/${a.id}`, { token: a.token });
    expect(notes.body.items.some((n: { type: string }) => n.type === "limits")).toBe(true);
  });

  it("counts outflows in every asset against one USD limit, at the price source's rates", async () => {
    // The trading module plugs live prices in at start; this test pins the fixed table to know the figures.
    setPriceSource(fixedPriceSource);
    const a = await createUser(server.platform, { kycLevel: 1 });
    const b = await createUser(server.platform);
    await deposit(server, a, "BTC", "0.01");
    await deposit(server, a, "EUR", "100");
    // 0.001 BTC is $60 at $60,000.
    expect((await sendTransfer(server, a, { to: b.id, asset: "BTC", amount: "0.001" })).status).toBe(201);
    const second = await sendTransfer(server, a, { to: b.id, asset: "BTC", amount: "0.001" });
    expect(second.status).toBe(422);
    expect(second.body.error.details.remaining).toBe("40.00");
    // 37 EUR is $39.96 at $1.08: it fits, and leaves four cents.
    expect((await sendTransfer(server, a, { to: b.id, asset: "EUR", amount: "37" })).status).toBe(201);
    const more = await sendTransfer(server, a, { to: b.id, asset: "EUR", amount: "0.05" });
    expect(more.body.error).toMatchObject({ code: "kyc_limit_exceeded", details: { remaining: "0.04" } });
  });

  it("allows more at a higher KYC level", async () => {
    const a = await createUser(server.platform, { kycLevel: 2 });
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "2000");
    expect((await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "999.99" })).status).toBe(201);
    const over = await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "0.02" });
    expect(over.body.error.details).toMatchObject({ remaining: "0.01", limit: "1000.00" });
  });

  it("stops counting a withdrawal that failed", async () => {
    const fast = await startTestServer(engine, { SANDBOX_CONFIRM_MS: "20" });
    try {
      const a = await createUser(fast.platform, { kycLevel: 1 });
      await deposit(fast, a, "USD", "500");
      const failing = await fast.request("POST", `/api/wallet/${a.id}/withdrawals`, {
        token: a.token,
        body: { asset: "USD", amount: "90", destination: "fail-here" },
      });
      expect(failing.status).toBe(201);
      await eventually(async () => expect((await balanceOf(fast, a, "USD")).available).toBe("500.00"));
      const again = await fast.request("POST", `/api/wallet/${a.id}/withdrawals`, {
        token: a.token,
        body: { asset: "USD", amount: "90", destination: "bank-2" },
      });
      expect(again.status).toBe(201);
    } finally {
      await fast.close();
    }
  });
});
