import { afterEach, describe, expect, it } from "vitest";
import { engines, eventually, startTestServer, type TestServer } from "../../../test/harness.js";

describe.each(engines)("demo accounts on %s", (engine) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a demo user signs in, fully verified, to a funded wallet, funded once even when the seeding event is delivered again", async () => {
    server = await startTestServer(engine, { SEED_DEMO: "true" });
    const login = await server.request("POST", "/api/auth/login", {
      body: { email: "alice@softchat.local", password: "softchat-demo" },
    });
    expect(login.status).toBe(200);
    const { accessToken, user } = login.body;
    expect(user.kycLevel).toBe(3);
    const usd = async () => {
      const res = await server?.request("GET", `/api/wallet/${user.id}/balance`, { token: accessToken });
      return res?.body.balances.find((b: { asset: string }) => b.asset === "USD")?.available;
    };
    await eventually(async () => expect(await usd()).toBe("5000.00"), 15_000);

    // Redeliver the seeding event, as a crash between delivery and acknowledgement would.
    await server.platform.db.query(
      "UPDATE outbox SET delivered_at = NULL, locked_until = NULL WHERE topic = $1",
      ["auth.demo_seeded"],
    );
    await server.platform.outbox.dispatchPending();
    expect(await usd()).toBe("5000.00");
    const btc = (
      await server.request("GET", `/api/wallet/${user.id}/balance`, { token: accessToken })
    ).body.balances.find((b: { asset: string }) => b.asset === "BTC");
    expect(btc.available).toBe("0.10000000");
  });
});
