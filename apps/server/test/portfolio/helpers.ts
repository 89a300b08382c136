import { expect } from "vitest";
import type { TestUser } from "../factories.js";
import { eventually, type TestServer } from "../harness.js";
import { accepted, orderWhen } from "../trading/helpers.js";

/** The caller's portfolio (or, for an admin, `userId`'s) as the API shows it. */
export async function portfolioOf(server: TestServer, user: TestUser, userId?: string) {
  const query = userId ? `?userId=${userId}` : "";
  const res = await server.request("GET", `/api/trading/portfolio${query}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    holdings: Array<Record<string, string | null>>;
    totals: Record<string, string>;
    updatedAt: string;
  };
}

/** One holding of the portfolio, or undefined. */
export async function holdingOf(server: TestServer, user: TestUser, asset: string) {
  return (await portfolioOf(server, user)).holdings.find((h) => h.asset === asset);
}

/** Polls until the user's holding of `asset` matches `expected` (fills reach the portfolio after commit). */
export function holdingWhen(
  server: TestServer,
  user: TestUser,
  asset: string,
  expected: Record<string, string | null>,
) {
  return eventually(async () => {
    const holding = await holdingOf(server, user, asset);
    expect(holding).toMatchObject(expected);
    return holding;
  }, 10_000);
}

/**
 * A sell resting on the book, then a buy crossing it at the same price: both fill completely at `price`.
 * Resolves once both orders are filled.
 */
export async function trade(
  server: TestServer,
  seller: TestUser,
  buyer: TestUser,
  pairId: string,
  price: string,
  quantity: string,
): Promise<void> {
  const sell = await accepted(server, seller, { pairId, side: "sell", type: "limit", price, quantity });
  await orderWhen(server, seller, sell.id, (o) => o.status === "new");
  const buy = await accepted(server, buyer, { pairId, side: "buy", type: "limit", price, quantity });
  await orderWhen(server, buyer, buy.id, (o) => o.status === "filled");
  await orderWhen(server, seller, sell.id, (o) => o.status === "filled");
}

/** Waits until the price service publishes `price` for `symbol`. */
export function priceIs(server: TestServer, symbol: string, price: string) {
  return eventually(async () => {
    const res = await server.request("GET", `/api/crypto/prices/${symbol}`);
    expect(res.status).toBe(200);
    expect(res.body.price).toBe(price);
  }, 10_000);
}
