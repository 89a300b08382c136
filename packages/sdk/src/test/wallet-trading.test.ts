import type { BalanceUpdateEvent, TransactionCompleteEvent } from "@softchat/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../../apps/server/test/factories.js";
import {
  engines,
  eventually,
  startTestServer,
  type TestServer,
} from "../../../../apps/server/test/harness.js";
import { createClient, type SoftchatClient } from "../client.js";
import { SoftchatError } from "../errors.js";
import { newId } from "../ids.js";
import { closeServer, signedInClient, stateOf } from "./clients.js";

describe.each(engines)("wallet and trading through the SDK on %s", (engine) => {
  let server: TestServer;
  const clients: SoftchatClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.realtime.reset();
  });
  afterAll(async () => {
    if (server) await closeServer(server);
  });

  async function live(kycLevel: 1 | 2 | 3 = 2) {
    const user = await createUser(server.platform, { kycLevel });
    const { client } = await signedInClient(server, { user });
    clients.push(client);
    client.realtime.connect();
    await stateOf(client, "connected");
    return { client, user };
  }

  it("a transfer retried with the same Idempotency-Key moves the money once, and balances update live", async () => {
    const alice = await live();
    const bob = await live();
    const balances: BalanceUpdateEvent[] = [];
    const completed: TransactionCompleteEvent[] = [];
    alice.client.realtime.on("balance_update", (e) => balances.push(e));
    bob.client.realtime.on("transaction_complete", (e) => completed.push(e));

    const deposit = await alice.client.wallet.deposit({
      asset: "USD",
      amount: "100.00",
      provider: "sandbox",
    });
    expect(deposit).toMatchObject({ asset: "USD", provider: "sandbox" });
    await eventually(() => expect(balances.at(-1)).toMatchObject({ asset: "USD", available: "100.00" }));

    const key = newId();
    const body = { to: bob.user.username, asset: "USD", amount: "12.50", note: "lunch" };
    const first = await alice.client.wallet.transfer(body, { idempotencyKey: key });
    const replay = await alice.client.wallet.transfer(body, { idempotencyKey: key });
    expect(replay.id).toBe(first.id);
    expect(first).toMatchObject({ from: alice.user.id, to: bob.user.id, amount: "12.50" });
    const mismatch = await alice.client.wallet
      .transfer({ ...body, amount: "13.00" }, { idempotencyKey: key })
      .catch((e) => e);
    expect(mismatch).toBeInstanceOf(SoftchatError);
    expect(mismatch).toMatchObject({ status: 422, code: "idempotency_mismatch" });

    const usd = (await alice.client.wallet.balance()).find((b) => b.asset === "USD");
    expect(usd).toMatchObject({ available: "87.50", total: "87.50" });
    expect((await bob.client.wallet.balance()).find((b) => b.asset === "USD")).toMatchObject({
      available: "12.50",
    });
    await eventually(() => expect(balances.at(-1)).toMatchObject({ asset: "USD", available: "87.50" }));
    await eventually(() => expect(completed.length).toBeGreaterThan(0));
    const history = await alice.client.wallet.transactions({ type: "transfer" });
    expect(history.items.map((t) => [t.direction, t.amount])).toEqual([["out", "12.50"]]);
    expect((await alice.client.wallet.addresses()).map((a) => a.asset)).toContain("BTC");
  });

  it("a live order book follows orders placed and cancelled, and market data needs no sign-in", async () => {
    const anonymous = createClient({ baseUrl: server.url });
    const pairs = await anonymous.trading.pairs();
    expect(pairs.map((p) => p.pairId)).toContain("BTC-USD");
    expect((await anonymous.trading.orderbook("BTC-USD")).pairId).toBe("BTC-USD");

    const carol = await live();
    await carol.client.wallet.deposit({ asset: "USD", amount: "500.00", provider: "sandbox" });
    const book = await carol.client.realtime.joinTradingRoom("BTC-USD");
    const order = await carol.client.trading.placeOrder({
      pairId: "BTC-USD",
      side: "buy",
      type: "limit",
      price: "30000.00",
      quantity: "0.001",
    });
    expect(order).toMatchObject({ pairId: "BTC-USD", side: "buy", quantity: "0.00100" });
    await eventually(() => expect(book.view().bids).toContainEqual(["30000.00", "0.00100"]));
    const mine = await carol.client.trading.orders({ pairId: "BTC-USD" });
    expect(mine.items.map((o) => o.id)).toContain(order.id);

    const cancelled = await carol.client.trading.cancel(order.id);
    expect(cancelled).toMatchObject({ id: order.id, status: "canceled" });
    await eventually(() => expect(book.view().bids.map(([price]) => price)).not.toContain("30000.00"));
    // Every update applied in seq order, none missed in this calm run.
    expect(book.resyncCount).toBe(0);
    await book.close();
  });
});
