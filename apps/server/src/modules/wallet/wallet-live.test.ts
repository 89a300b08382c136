import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/factories.js";
import { engines, startTestServer, type TestServer } from "../../../test/harness.js";
import { connectSocket, type TestSocket } from "../../../test/realtime/socket-client.js";
import { deposit, sendTransfer } from "../../../test/wallet/helpers.js";

describe.each(engines)("live wallet events on %s", (engine) => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    server = await startTestServer(engine, { SANDBOX_CONFIRM_MS: "50" });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
  });
  const connect = async (token: string) => {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    return s;
  };

  it("a transfer updates both users' balances on all their devices, and tells both it completed", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "100.00");
    const [phone, laptop, other] = await Promise.all([connect(a.token), connect(a.token), connect(b.token)]);
    const res = await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "10.00" });
    expect(res.status).toBe(201);
    const id = res.body.transfer.id;
    for (const device of [phone, laptop]) {
      expect(
        await device.waitFor("balance_update", (e) => e.asset === "USD" && e.available === "90.00"),
      ).toEqual({
        asset: "USD",
        available: "90.00",
        pending: "0.00",
        total: "90.00",
      });
      await device.waitFor("transaction_complete", (e) => e.transactionId === id);
      await device.waitFor("transfer_update", (e) => e.transferId === id && e.status === "completed");
    }
    await other.waitFor("balance_update", (e) => e.asset === "USD" && e.available === "10.00");
    const done = await other.waitFor("transaction_complete", (e) => e.transactionId === id);
    expect(done.details).toMatchObject({ type: "transfer", from: a.id, to: b.id, amount: "10.00" });
    const note = await other.waitFor("new_notification", (e) => e.notification.type === "transfer");
    expect(note.notification.body).toContain("10.00 USD");
    // Nobody else's balance leaks: b never saw a's balance.
    expect(other.events("balance_update").some((e) => e.available === "90.00")).toBe(false);
  });

  it("a withdrawal shows its funds pending, then its completion", async () => {
    const a = await createUser(server.platform);
    await deposit(server, a, "EUR", "50.00");
    const s = await connect(a.token);
    const res = await server.request("POST", `/api/wallet/${a.id}/withdrawals`, {
      token: a.token,
      body: { asset: "EUR", amount: "20", destination: "iban-7" },
    });
    expect(res.status).toBe(201);
    const id = res.body.withdrawal.id;
    await s.waitFor(
      "balance_update",
      (e) => e.asset === "EUR" && e.pending === "20.00" && e.available === "30.00",
    );
    await s.waitFor("transfer_update", (e) => e.transferId === id && e.status === "pending");
    await s.waitFor("transfer_update", (e) => e.transferId === id && e.status === "completed");
    await s.waitFor(
      "balance_update",
      (e) => e.asset === "EUR" && e.pending === "0.00" && e.total === "30.00",
    );
    await s.waitFor("new_notification", (e) => e.notification.type === "withdrawal");
  });

  it("tells a user over the limit with a limits notification", async () => {
    const a = await createUser(server.platform, { kycLevel: 1 });
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "500.00");
    const s = await connect(a.token);
    const res = await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "150.00" });
    expect(res.status).toBe(422);
    const note = await s.waitFor("new_notification", (e) => e.notification.type === "limits");
    expect(note.notification.data).toMatchObject({ remaining: "100.00" });
  });
});
