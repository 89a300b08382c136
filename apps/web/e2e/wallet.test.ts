import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { add } from "../src/lib/decimal.js";
import { formatAmount } from "../src/lib/money.js";
import { signIn, waitConnected } from "./support/actions.js";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS, type Visitor } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

/** The available amount the balance table shows for an asset ("" when there is no line for it). */
async function available(visitor: Visitor, asset: string): Promise<string> {
  const cell = visitor.page.locator(
    `[data-testid="balance-row"][data-asset="${asset}"] [data-testid="available"]`,
  );
  return (await cell.count()) === 0 ? "" : ((await cell.textContent()) ?? "");
}

describe("money moving between two people, each in their own browser", () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Visitor;
  let bob: Visitor;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startAppServer(), launchBrowser()]);
    alice = await openVisitor(browser, server.url);
    bob = await openVisitor(browser, server.url, { width: 375, height: 800 });
    await Promise.all([signIn(alice.page, "alice"), signIn(bob.page, "bob")]);
    await Promise.all([alice.page.goto("/wallet"), bob.page.goto("/wallet")]);
    await Promise.all([waitConnected(alice.page), waitConnected(bob.page)]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "a transfer from alice shows up in bob's balance and notifications without a reload",
    async () => {
      await bob.page.getByTestId("balances").waitFor();
      // Demo accounts start funded; what bob sees must grow by exactly what alice sends.
      const bobBefore = await available(bob, "USD");
      const bobAfter = formatAmount(add(bobBefore.replaceAll(",", "") || "0", "25.50", 2), "USD");

      await capture(alice, "wallet-alice-deposits", async () => {
        await alice.page.getByRole("button", { name: "Deposit", exact: true }).click();
        await alice.page.getByLabel("Amount").fill("100");
        await alice.page
          .getByRole("form", { name: "Deposit" })
          .getByRole("button", { name: "Deposit" })
          .click();
        await alice.page.getByRole("status").filter({ hasText: "Deposited 100.00 USD" }).waitFor();
      });

      await capture(alice, "wallet-alice-confirms-transfer", async () => {
        await alice.page.getByRole("button", { name: "Send", exact: true }).click();
        await alice.page.getByLabel("Recipient").fill("bob");
        await alice.page.getByLabel("Amount").fill("25.5");
        await alice.page.getByLabel("Note (optional)").fill("for lunch");
        await alice.page.getByRole("button", { name: "Review transfer" }).click();
        // Nothing has moved yet: the review shows what will happen and waits for a confirmation.
        await alice.page
          .getByTestId("transfer-confirm")
          .filter({ hasText: "Send 25.50 USD to bob" })
          .waitFor();
        await alice.page.getByRole("button", { name: "Confirm and send" }).click();
        await alice.page.getByRole("status").filter({ hasText: "Sent 25.50 USD to bob." }).waitFor();
      });

      await capture(bob, "wallet-bob-receives-live", async () => {
        await bob.page
          .locator('[data-testid="balance-row"][data-asset="USD"] [data-testid="available"]')
          .filter({ hasText: bobAfter })
          .waitFor();
        await bob.page.getByTestId("unread-badge").waitFor();
        await bob.page.getByTestId("history-row").filter({ hasText: "+25.50 USD" }).waitFor();
      });
      expect(await available(bob, "USD")).toBe(bobAfter);

      await capture(bob, "wallet-bob-notification-centre", async () => {
        await bob.page.getByTestId("notification-bell").click();
        await bob.page.getByTestId("notification").filter({ hasText: "25.50 USD" }).first().waitFor();
      });
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
