import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../test/factories.js";
import { engines, startTestServer, type TestServer } from "../../../test/harness.js";
import { balanceOf, deposit, sendTransfer } from "../../../test/wallet/helpers.js";
import { purgeIdempotencyKeys } from "../../platform/idempotency/index.js";

describe.each(engines)("Idempotency-Key on money requests on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine, { SANDBOX_CONFIRM_MS: "30" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a second transfer with the same Idempotency-Key returns the first transfer and moves nothing", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "50.00");
    const key = randomUUID();
    const body = { to: b.id, asset: "USD", amount: "10.00" };
    const first = await sendTransfer(server, a, body, key);
    const replay = await sendTransfer(server, a, body, key);
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await balanceOf(server, a, "USD")).available).toBe("40.00");
    expect((await balanceOf(server, b, "USD")).available).toBe("10.00");
  });

  it("answers 422 idempotency_mismatch for the same key with another body, and changes nothing", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "50.00");
    const key = randomUUID();
    expect((await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "10.00" }, key)).status).toBe(
      201,
    );
    const other = await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "11.00" }, key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe("idempotency_mismatch");
    const elsewhere = await server.request("POST", `/api/wallet/${a.id}/withdrawals`, {
      token: a.token,
      body: { asset: "USD", amount: "10.00", destination: "x" },
      headers: { "idempotency-key": key },
    });
    expect(elsewhere.body.error.code).toBe("idempotency_mismatch");
    expect((await balanceOf(server, a, "USD")).available).toBe("40.00");
  });

  it("runs concurrent requests with the same key once and gives them all the same reply", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "50.00");
    const key = randomUUID();
    const body = { to: b.id, asset: "USD", amount: "5.00" };
    const replies = await Promise.all(Array.from({ length: 12 }, () => sendTransfer(server, a, body, key)));
    expect(replies.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(replies.map((r) => r.body.transfer.id)).size).toBe(1);
    expect((await balanceOf(server, a, "USD")).available).toBe("45.00");
    expect((await balanceOf(server, b, "USD")).available).toBe("5.00");
  });

  it("replays a refusal as it was first given, even once the refusal no longer holds", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    const key = randomUUID();
    const body = { to: b.id, asset: "USD", amount: "5.00" };
    const refused = await sendTransfer(server, a, body, key);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("insufficient_funds");
    await deposit(server, a, "USD", "50.00");
    const replay = await sendTransfer(server, a, body, key);
    expect(replay.status).toBe(422);
    expect(replay.body).toEqual(refused.body);
    expect((await balanceOf(server, a, "USD")).available).toBe("50.00");
    expect((await sendTransfer(server, a, body, randomUUID())).status).toBe(201);
  });

  it("replays deposits and withdrawals too", async () => {
    const a = await createUser(server.platform);
    const key = randomUUID();
    const dep = () =>
      server.request("POST", `/api/wallet/${a.id}/deposits`, {
        token: a.token,
        body: { asset: "EUR", amount: "20", provider: "sandbox" },
        headers: { "idempotency-key": key },
      });
    const [d1, d2] = [await dep(), await dep()];
    expect(d2.body).toEqual(d1.body);
    expect((await balanceOf(server, a, "EUR")).total).toBe("20.00");
    const wkey = randomUUID();
    const wd = () =>
      server.request("POST", `/api/wallet/${a.id}/withdrawals`, {
        token: a.token,
        body: { asset: "EUR", amount: "5", destination: "iban-1" },
        headers: { "idempotency-key": wkey },
      });
    const [w1, w2] = await Promise.all([wd(), wd()]);
    expect(w1.status).toBe(201);
    expect(w2.body).toEqual(w1.body);
    expect((await balanceOf(server, a, "EUR")).available).toBe("15.00");
  });

  it("keeps keys per user: another user may use the same key", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "10.00");
    await deposit(server, b, "USD", "10.00");
    const key = "shared-key-1";
    expect((await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "1" }, key)).status).toBe(201);
    expect((await sendTransfer(server, b, { to: a.id, asset: "USD", amount: "2" }, key)).status).toBe(201);
    expect((await balanceOf(server, a, "USD")).available).toBe("11.00");
  });

  it("refuses a malformed key with 400", async () => {
    const a = await createUser(server.platform);
    const res = await sendTransfer(
      server,
      a,
      { to: randomUUID(), asset: "USD", amount: "1" },
      "x".repeat(300),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });

  it("keeps keys for at least 24 hours and purges older ones", async () => {
    const a = await createUser(server.platform);
    const b = await createUser(server.platform);
    await deposit(server, a, "USD", "10.00");
    const recent = randomUUID();
    const old = randomUUID();
    await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "1" }, recent);
    await sendTransfer(server, a, { to: b.id, asset: "USD", amount: "1" }, old);
    const { db } = server.platform;
    await db.query("UPDATE idempotency_keys SET created_at = now() - interval '23 hours' WHERE key = $1", [
      recent,
    ]);
    await db.query("UPDATE idempotency_keys SET created_at = now() - interval '49 hours' WHERE key = $1", [
      old,
    ]);
    expect(await purgeIdempotencyKeys(db, 48)).toBeGreaterThanOrEqual(1);
    expect(await purgeIdempotencyKeys(db, 24)).toBe(0);
    const { rows } = await db.query<{ key: string }>("SELECT key FROM idempotency_keys WHERE key = ANY($1)", [
      [recent, old],
    ]);
    expect(rows.map((r) => r.key)).toEqual([recent]);
  });
});
