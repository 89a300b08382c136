import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../../../test/harness.js";
import { balanceOf, deposit, ledgerInvariants, sendTransfer } from "../../../test/wallet/helpers.js";

describe.each(engines)("wallet API on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine, { SANDBOX_CONFIRM_MS: "30" });
  });
  afterAll(async () => {
    await server?.close();
  });

  const funded = async (usd = "100.00"): Promise<TestUser> => {
    const user = await createUser(server.platform);
    await deposit(server, user, "USD", usd);
    return user;
  };

  it("shows a new user a zero balance in every asset", async () => {
    const user = await createUser(server.platform);
    const res = await server.request("GET", `/api/wallet/${user.id}/balance`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.balances.map((b: { asset: string }) => b.asset).sort()).toEqual(
      ["BTC", "ETH", "EUR", "SOFT", "USD", "USDT"].sort(),
    );
    expect(res.body.balances.find((b: { asset: string }) => b.asset === "ETH")).toEqual({
      asset: "ETH",
      available: "0.000000000000000000",
      pending: "0.000000000000000000",
      total: "0.000000000000000000",
    });
  });

  it("answers 403 on every route of another user's wallet, and lets an admin read it", async () => {
    const owner = await createUser(server.platform);
    const other = await createUser(server.platform);
    const base = `/api/wallet/${owner.id}`;
    const attempts = [
      ["GET", `${base}/balance`, undefined],
      ["GET", `${base}/transactions`, undefined],
      ["GET", `${base}/addresses`, undefined],
      ["POST", `${base}/transfer`, { to: other.id, asset: "USD", amount: "1" }],
      ["POST", `${base}/deposits`, { asset: "USD", amount: "1", provider: "sandbox" }],
      ["POST", `${base}/withdrawals`, { asset: "USD", amount: "1", destination: "acct" }],
    ] as const;
    for (const [method, path, body] of attempts) {
      const res = await server.request(method, path, { token: other.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    const unsigned = await server.request("GET", `${base}/balance`);
    expect(unsigned.status).toBe(401);
    const admin = await createUser(server.platform, { role: "admin" });
    expect((await server.request("GET", `${base}/balance`, { token: admin.token })).status).toBe(200);
  });

  it("refuses negative, zero, over-precise, non-numeric and huge amounts with 400", async () => {
    const a = await funded();
    const b = await createUser(server.platform);
    const cases: Array<[string, string]> = [
      ["-5", "validation_failed"],
      ["0", "invalid_amount"],
      ["0.00", "invalid_amount"],
      ["0.001", "invalid_amount"],
      ["abc", "validation_failed"],
      ["1e3", "validation_failed"],
      ["12.", "validation_failed"],
      [`1${"0".repeat(31)}`, "invalid_amount"],
    ];
    for (const [amount, code] of cases) {
      const res = await sendTransfer(server, a, { to: b.id, asset: "USD", amount });
      expect(res.status, amount).toBe(400);
      expect(res.body.error.code, amount).toBe(code);
    }
    const numeric = await sendTransfer(server, a, { to: b.id, asset: "USD", amount: 5 });
    expect(numeric.status).toBe(400);
    expect((await balanceOf(server, a, "USD")).available).toBe("100.00");
  });

  it("refuses an unknown asset with 400 unknown_asset", async () => {
    const a = await funded();
    const b = await createUser(server.platform);
    const res = await sendTransfer(server, a, { to: b.id, asset: "DOGE", amount: "1" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("unknown_asset");
    const dep = await server.request("POST", `/api/wallet/${a.id}/deposits`, {
      token: a.token,
      body: { asset: "XYZ", amount: "1", provider: "sandbox" },
    });
    expect(dep.status).toBe(400);
    expect(dep.body.error.code).toBe("unknown_asset");
  });

  it("refuses a transfer to yourself, by id or by username, with 422 self_transfer", async () => {
    const a = await funded();
    for (const to of [a.id, a.username.toUpperCase()]) {
      const res = await sendTransfer(server, a, { to, asset: "USD", amount: "1" });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe("self_transfer");
    }
  });

  it("answers 404 for a recipient that does not exist", async () => {
    const a = await funded();
    for (const to of [randomUUID(), "nobody_with_this_name"]) {
      const res = await sendTransfer(server, a, { to, asset: "USD", amount: "1" });
      expect(res.status).toBe(404);
    }
  });

  it("refuses every outflow of a frozen account with 422 account_frozen and a security notice, while it can still receive", async () => {
    const a = await funded();
    const b = await funded();
    await server.platform.db.query("UPDATE users SET frozen = true WHERE id = $1", [a.id]);
    const out = await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "1" });
    expect(out.status).toBe(422);
    expect(out.body.error.code).toBe("account_frozen");
    const wd = await server.request("POST", `/api/wallet/${a.id}/withdrawals`, {
      token: a.token,
      body: { asset: "USD", amount: "1", destination: "acct-1" },
    });
    expect(wd.status).toBe(422);
    expect(wd.body.error.code).toBe("account_frozen");
    expect((await sendTransfer(server, b, { to: a.id, asset: "USD", amount: "5" })).status).toBe(201);
    expect((await balanceOf(server, a, "USD")).available).toBe("105.00");
    const notes = await server.request("GET", `/api/notifications/${a.id}`, { token: a.token });
    expect(notes.body.items.some((n: { type: string }) => n.type === "security")).toBe(true);
  });

  it("sends money by username and shows it in both histories, newest first, with filters and pages", async () => {
    const a = await funded();
    const b = await createUser(server.platform);
    const res = await sendTransfer(server, a, {
      to: b.username,
      asset: "USD",
      amount: "12.50",
      note: "lunch",
    });
    expect(res.status).toBe(201);
    expect(res.body.transfer).toMatchObject({
      from: a.id,
      to: b.id,
      asset: "USD",
      amount: "12.50",
      fee: "0.00",
      status: "completed",
    });
    expect((await balanceOf(server, a, "USD")).available).toBe("87.50");
    expect((await balanceOf(server, b, "USD")).available).toBe("12.50");

    const mine = await server.request("GET", `/api/wallet/${a.id}/transactions`, { token: a.token });
    expect(mine.body.items.map((i: { type: string }) => i.type)).toEqual(["transfer", "deposit"]);
    expect(mine.body.items[0]).toMatchObject({
      operationId: res.body.transfer.id,
      direction: "out",
      amount: "12.50",
      counterpartyId: b.id,
      note: "lunch",
      status: "completed",
    });
    const theirs = await server.request("GET", `/api/wallet/${b.id}/transactions`, { token: b.token });
    expect(theirs.body.items).toHaveLength(1);
    expect(theirs.body.items[0]).toMatchObject({ direction: "in", counterpartyId: a.id, amount: "12.50" });

    const deposits = await server.request("GET", `/api/wallet/${a.id}/transactions?type=deposit`, {
      token: a.token,
    });
    expect(deposits.body.items.map((i: { type: string }) => i.type)).toEqual(["deposit"]);
    const eur = await server.request("GET", `/api/wallet/${a.id}/transactions?asset=EUR`, { token: a.token });
    expect(eur.body.items).toEqual([]);

    const first = await server.request("GET", `/api/wallet/${a.id}/transactions?limit=1`, { token: a.token });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await server.request(
      "GET",
      `/api/wallet/${a.id}/transactions?limit=1&cursor=${first.body.nextCursor}`,
      { token: a.token },
    );
    expect(second.body.items[0].type).toBe("deposit");
    expect(second.body.nextCursor).toBeNull();
  });

  it("gives each user one stable deposit address per crypto asset, unique across users", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    const [first, again, other] = await Promise.all([
      server.request("GET", `/api/wallet/${a.id}/addresses`, { token: a.token }),
      server.request("GET", `/api/wallet/${a.id}/addresses`, { token: a.token }),
      server.request("GET", `/api/wallet/${b.id}/addresses`, { token: b.token }),
    ]);
    expect(first.body.items.map((i: { asset: string }) => i.asset).sort()).toEqual([
      "BTC",
      "ETH",
      "SOFT",
      "USDT",
    ]);
    expect(again.body.items).toEqual(first.body.items);
    const later = await server.request("GET", `/api/wallet/${a.id}/addresses`, { token: a.token });
    expect(later.body.items).toEqual(first.body.items);
    const all = [...first.body.items, ...other.body.items].map((i: { address: string }) => i.address);
    expect(new Set(all).size).toBe(all.length);
    expect(first.body.items.find((i: { asset: string }) => i.asset === "BTC").address).toMatch(/^bc1q/);
  });

  it("completes a sandbox deposit at once and notifies the user", async () => {
    const a = await createUser(server.platform);
    const res = await server.request("POST", `/api/wallet/${a.id}/deposits`, {
      token: a.token,
      body: { asset: "BTC", amount: "0.015", provider: "sandbox" },
    });
    expect(res.status).toBe(201);
    expect(res.body.deposit).toMatchObject({ asset: "BTC", amount: "0.01500000", status: "completed" });
    expect((await balanceOf(server, a, "BTC")).available).toBe("0.01500000");
    const notes = await server.request("GET", `/api/notifications/${a.id}`, { token: a.token });
    expect(notes.body.items.map((n: { type: string }) => n.type)).toContain("deposit");
  });

  it("answers 400 for a payment provider this deployment has not enabled", async () => {
    const a = await createUser(server.platform);
    const res = await server.request("POST", `/api/wallet/${a.id}/deposits`, {
      token: a.token,
      body: { asset: "USD", amount: "10", provider: "stripe" },
    });
    expect(res.status).toBe(400);
  });

  it("holds a withdrawal's funds until the provider confirms, then takes them", async () => {
    const a = await funded();
    const res = await server.request("POST", `/api/wallet/${a.id}/withdrawals`, {
      token: a.token,
      body: { asset: "USD", amount: "40", destination: "bank-123" },
    });
    expect(res.status).toBe(201);
    expect(res.body.withdrawal).toMatchObject({
      amount: "40.00",
      status: "pending",
      destination: "bank-123",
    });
    await eventually(async () => {
      expect(await balanceOf(server, a, "USD")).toEqual({
        asset: "USD",
        available: "60.00",
        pending: "0.00",
        total: "60.00",
      });
    });
    const history = await server.request("GET", `/api/wallet/${a.id}/transactions?type=withdrawal`, {
      token: a.token,
    });
    expect(history.body.items[0]).toMatchObject({ status: "completed", direction: "out", amount: "40.00" });
  });

  it("returns a failed withdrawal's funds", async () => {
    const a = await funded();
    const res = await server.request("POST", `/api/wallet/${a.id}/withdrawals`, {
      token: a.token,
      body: { asset: "USD", amount: "30", destination: "fail-account" },
    });
    expect(res.status).toBe(201);
    await eventually(async () => {
      const history = await server.request("GET", `/api/wallet/${a.id}/transactions?type=withdrawal`, {
        token: a.token,
      });
      expect(history.body.items[0].status).toBe("failed");
    });
    expect(await balanceOf(server, a, "USD")).toMatchObject({ available: "100.00", pending: "0.00" });
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });
  });

  it("shows held funds as pending, not available", async () => {
    // A long confirmation window on a server of its own keeps the withdrawal pending while we look.
    const slow = await startTestServer(engine, { SANDBOX_CONFIRM_MS: "60000" });
    try {
      const user = await createUser(slow.platform);
      const friend = await createUser(slow.platform);
      await deposit(slow, user, "USD", "100.00");
      const res = await slow.request("POST", `/api/wallet/${user.id}/withdrawals`, {
        token: user.token,
        body: { asset: "USD", amount: "25.50", destination: "bank-1" },
      });
      expect(res.status).toBe(201);
      expect(await balanceOf(slow, user, "USD")).toEqual({
        asset: "USD",
        available: "74.50",
        pending: "25.50",
        total: "100.00",
      });
      const spend = await sendTransfer(slow, user, { to: friend.id, asset: "USD", amount: "75" });
      expect(spend.status).toBe(422);
      expect(spend.body.error.code).toBe("insufficient_funds");
    } finally {
      await slow.close();
    }
  });
});
