import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, signIn, waitConnected } from "./support/actions.js";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS, type Visitor } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

const ORDERS = 30;

/** Places a BTC-USD limit order for a demo user through the public API. */
async function placeOrder(
  server: TestServer,
  token: string,
  side: "buy" | "sell",
  price: string,
  quantity: string,
): Promise<void> {
  const res = await server.request("POST", "/api/trading/orders", {
    token,
    headers: { "idempotency-key": randomUUID() },
    body: { pairId: "BTC-USD", side, type: "limit", price, quantity },
  });
  expect(res.status).toBe(202);
}

async function tokenOf(server: TestServer, username: string): Promise<string> {
  const res = await server.request("POST", "/api/auth/login", {
    body: { email: `${username}@softchat.local`, password: DEMO_PASSWORD },
  });
  return res.body.accessToken;
}

/**
 * The most repaints within any one second, counted in a window starting at each repaint. The window is
 * 50 ms short of a second: a repaint lands a few milliseconds after its timer (React renders in a task of
 * its own), and that jitter must not make ten repaints 100 ms apart look like eleven.
 */
function busiestSecond(times: number[]): number {
  return Math.max(0, ...times.map((start) => times.filter((t) => t >= start && t < start + 950).length));
}

describe("a busy market in the browser", () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Visitor;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startAppServer(), launchBrowser()]);
    alice = await openVisitor(browser, server.url, { width: 1400, height: 1000 });
    await signIn(alice.page, "alice");
    await alice.page.goto("/trading?pair=BTC-USD");
    await waitConnected(alice.page);
    await alice.page.getByTestId("order-book").waitFor();
    await alice.page.getByText("No trades yet.").waitFor();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "repaints the order book and the trades tape at most 10 times a second, and shows every trade",
    async () => {
      await alice.page.evaluate(() => {
        const paints: Record<string, number[]> = { book: [], tape: [] };
        Object.assign(window, { paints });
        for (const [name, card] of [
          ["book", "book-title"],
          ["tape", "tape-title"],
        ] as const) {
          const target = document.querySelector(`section[aria-labelledby="${card}"]`);
          if (!target) throw new Error(`no ${card} card`);
          // One callback per rendered change: React commits synchronously, the observer runs after it.
          new MutationObserver(() => paints[name]?.push(performance.now())).observe(target, {
            subtree: true,
            childList: true,
            characterData: true,
            attributes: true,
          });
        }
      });

      // Thirty asks, then thirty buys taking them one by one: a trade every few milliseconds.
      const [bob, carol] = [await tokenOf(server, "bob"), await tokenOf(server, "carol")];
      for (let i = 0; i < ORDERS; i++) {
        await placeOrder(server, bob, "sell", `50000.${String(i).padStart(2, "0")}`, "0.00002");
      }
      for (let i = 0; i < ORDERS; i++) await placeOrder(server, carol, "buy", "50001.00", "0.00002");

      await capture(alice, "busy-market-tape", async () => {
        await alice.page.waitForFunction(
          (n) => document.querySelectorAll('[data-testid="trade"]').length >= n,
          ORDERS,
        );
        await alice.page
          .getByTestId("book-ask")
          .filter({ hasText: "50,000.29" })
          .waitFor({ state: "detached" });
      });
      const paints = await alice.page.evaluate(
        () => (window as unknown as { paints: Record<string, number[]> }).paints,
      );
      expect(paints.book?.length).toBeGreaterThan(0);
      expect(busiestSecond(paints.book ?? [])).toBeLessThanOrEqual(10);
      expect(busiestSecond(paints.tape ?? [])).toBeLessThanOrEqual(10);
      // Thirty trades arrived one by one, shown in fewer repaints of the tape.
      expect(paints.tape?.length).toBeLessThan(ORDERS);
      expect(alice.errors).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
