import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromUnits, toUnits } from "../src/lib/decimal.js";
import { formatAmount } from "../src/lib/money.js";
import { DEMO_PASSWORD, signIn, waitConnected } from "./support/actions.js";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS, type Visitor } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

/** Funds a demo user through the public API (a sandbox deposit), as setup for the scenario. */
async function deposit(server: TestServer, username: string, asset: string, amount: string): Promise<void> {
  const login = await server.request("POST", "/api/auth/login", {
    body: { email: `${username}@softchat.local`, password: DEMO_PASSWORD },
  });
  const res = await server.request("POST", `/api/wallet/${login.body.user.id}/deposits`, {
    token: login.body.accessToken,
    headers: { "idempotency-key": crypto.randomUUID() },
    body: { asset, amount, provider: "sandbox" },
  });
  expect(res.status).toBe(201);
}

/** How much of `asset` a demo user's portfolio holds now, as a decimal string ("0" when none). */
async function heldBy(server: TestServer, username: string, asset: string): Promise<string> {
  const login = await server.request("POST", "/api/auth/login", {
    body: { email: `${username}@softchat.local`, password: DEMO_PASSWORD },
  });
  const res = await server.request("GET", "/api/trading/portfolio", { token: login.body.accessToken });
  expect(res.status).toBe(200);
  return res.body.holdings.find((h: { asset: string }) => h.asset === asset)?.quantity ?? "0";
}

/** `held` moved by `delta` BTC (8 decimals), formatted as the portfolio shows it. */
function btcAfter(held: string, delta: bigint): string {
  return formatAmount(fromUnits(toUnits(held, 8) + delta, 8), "BTC");
}

async function placeLimit(page: Page, side: "Buy" | "Sell", price: string, quantity: string): Promise<void> {
  const form = page.getByRole("form", { name: "Place an order on BTC/USD" });
  await form
    .getByRole("button", { name: `${side} BTC`, exact: true })
    .first()
    .click();
  await form.getByRole("button", { name: "Limit", exact: true }).click();
  await form.getByLabel("Price (USD)").fill(price);
  await form.getByLabel("Quantity (BTC)").fill(quantity);
  await form.locator('button[type="submit"]').click();
  await form.getByRole("status").filter({ hasText: "placed" }).waitFor();
}

function holding(page: Page, asset: string) {
  return page
    .getByTestId("portfolio")
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: asset }) });
}

describe("two traders on the board, each in their own browser", () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Visitor;
  let bob: Visitor;
  // Demo accounts start funded: the holdings must move by exactly the 0.001 BTC traded.
  let aliceBtc: string;
  let bobBtc: string;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startAppServer(), launchBrowser()]);
    await deposit(server, "alice", "USD", "1000");
    await deposit(server, "bob", "BTC", "1");
    [aliceBtc, bobBtc] = [await heldBy(server, "alice", "BTC"), await heldBy(server, "bob", "BTC")];
    alice = await openVisitor(browser, server.url, { width: 1400, height: 1000 });
    bob = await openVisitor(browser, server.url, { width: 1400, height: 1000 });
    await Promise.all([signIn(alice.page, "alice"), signIn(bob.page, "bob")]);
    await Promise.all([alice.page.goto("/trading?pair=BTC-USD"), bob.page.goto("/trading?pair=BTC-USD")]);
    await Promise.all([waitConnected(alice.page), waitConnected(bob.page)]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "crossing orders fill: both see the trade, the book and their balances change live",
    async () => {
      await Promise.all([
        alice.page.getByTestId("order-book").waitFor(),
        bob.page.getByTestId("order-book").waitFor(),
      ]);

      await capture(bob, "trading-bob-sells", async () => {
        // Small enough for a KYC level 1 account (100 USD a day): 0.001 BTC at 50,000 is 50 USD.
        await placeLimit(bob.page, "Sell", "50000.00", "0.001");
        await bob.page.locator('[data-testid="my-order"][data-status="new"]').waitFor();
      });
      // Alice sees the ask appear in her book without reloading.
      await alice.page.getByTestId("book-ask").filter({ hasText: "50,000.00" }).waitFor();

      await capture(alice, "trading-alice-buys", async () => {
        // The fee preview is shown before anything is sent.
        const form = alice.page.getByRole("form", { name: "Place an order on BTC/USD" });
        await form.getByRole("button", { name: "Buy BTC", exact: true }).first().click();
        await form.getByLabel("Price (USD)").fill("50000.00");
        await form.getByLabel("Quantity (BTC)").fill("0.001");
        await alice.page.getByTestId("order-preview").filter({ hasText: "50.00 USD" }).waitFor();
        await form.locator('button[type="submit"]').click();
        await form.getByRole("status").filter({ hasText: "placed" }).waitFor();
        await alice.page.locator('[data-testid="my-order"][data-status="filled"]').waitFor();
        await alice.page.getByTestId("trade").filter({ hasText: "50,000.00" }).first().waitFor();
        await holding(alice.page, "BTC")
          .filter({ hasText: btcAfter(aliceBtc, 100_000n) })
          .waitFor();
      });

      await capture(bob, "trading-bob-filled", async () => {
        await bob.page.locator('[data-testid="my-order"][data-status="filled"]').waitFor();
        await bob.page.getByTestId("trade").filter({ hasText: "50,000.00" }).first().waitFor();
        await holding(bob.page, "BTC")
          .filter({ hasText: btcAfter(bobBtc, -100_000n) })
          .waitFor();
        await holding(bob.page, "USD").waitFor();
      });
      // The filled level is gone from both books.
      for (const visitor of [alice, bob]) {
        await visitor.page.waitForFunction(
          () => !document.querySelector('[data-testid="order-book"]')?.textContent?.includes("50,000.00"),
        );
      }
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
