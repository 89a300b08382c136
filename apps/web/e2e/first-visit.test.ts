import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invisibleFocusStops, lowContrastText, unnamedControls } from "./support/a11y.js";
import { waitConnected } from "./support/actions.js";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS, type Visitor } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

/** What a screen must offer everyone: named controls, a visible keyboard focus, readable text. */
async function expectUsableByEveryone(page: Page, screen: string): Promise<void> {
  expect({ screen, unnamed: await unnamedControls(page) }).toEqual({ screen, unnamed: [] });
  expect({ screen, lowContrast: await lowContrastText(page) }).toEqual({ screen, lowContrast: [] });
  expect({ screen, noFocusRing: await invisibleFocusStops(page, 8) }).toEqual({ screen, noFocusRing: [] });
}

async function goTo(page: Page, link: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link }).click();
  await page.getByRole("heading", { level: 1, name: link }).waitFor();
}

describe("a first visit on a phone, with no docs", () => {
  let server: TestServer;
  let browser: Browser;
  let visitor: Visitor;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startAppServer(), launchBrowser()]);
    visitor = await openVisitor(browser, server.url, { width: 375, height: 800 });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "a new user signs up, chats, deposits, sends and withdraws money and places an order, on screens everyone can use",
    async () => {
      const { page } = visitor;
      const username = `erin_${randomBytes(3).toString("hex")}`;
      await capture(visitor, "first-visit-sign-up", async () => {
        await page.goto("/");
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        await expectUsableByEveryone(page, "sign in");
        await page.getByRole("link", { name: "Create an account" }).click();
        await page.getByRole("heading", { name: "Create your account" }).waitFor();
        await page.getByLabel("Email").fill(`${username}@example.test`);
        await page.getByLabel("Username").fill(username);
        await page.getByLabel("Password").fill("correct horse battery");
        await page.getByRole("button", { name: "Create account" }).click();
        await page.getByTestId("current-user").filter({ hasText: username }).waitFor({ state: "attached" });
        await waitConnected(page);
      });

      await capture(visitor, "first-visit-chat", async () => {
        await expectUsableByEveryone(page, "chat");
        await page.getByLabel("Room name").fill("first steps");
        await page.getByRole("button", { name: "Create room" }).click();
        await page.getByRole("heading", { name: "first steps" }).waitFor();
        const box = page.getByRole("textbox", { name: "Message #first steps" });
        await box.fill("hello, Softchat");
        await box.press("Enter");
        await page
          .locator('[data-testid="message"]:not([data-status])')
          .filter({ hasText: "hello" })
          .waitFor();
      });

      await capture(visitor, "first-visit-wallet", async () => {
        await goTo(page, "Wallet");
        await page.getByText("Your wallet is empty").waitFor();
        await expectUsableByEveryone(page, "wallet");
        await page.getByRole("button", { name: "Deposit", exact: true }).click();
        await page.getByLabel("Amount").fill("80");
        await page.getByRole("form", { name: "Deposit" }).getByRole("button", { name: "Deposit" }).click();
        await page.getByRole("status").filter({ hasText: "Deposited 80.00 USD" }).waitFor();

        await page.getByRole("button", { name: "Send", exact: true }).click();
        await page.getByLabel("Recipient").fill("alice");
        await page.getByLabel("Amount").fill("10");
        await page.getByRole("button", { name: "Review transfer" }).click();
        await page.getByRole("button", { name: "Confirm and send" }).click();
        await page.getByRole("status").filter({ hasText: "Sent 10.00 USD to alice." }).waitFor();
        await page
          .locator('[data-testid="balance-row"][data-asset="USD"] [data-testid="available"]')
          .filter({ hasText: /^70\.00$/ })
          .waitFor();

        await page.getByRole("button", { name: "Withdraw", exact: true }).click();
        await page.getByLabel("Amount").fill("5");
        await page.getByLabel("Destination").fill("bank-erin");
        await page.getByRole("button", { name: "Review withdrawal" }).click();
        await page.getByRole("button", { name: "Confirm withdrawal" }).click();
        await page.getByRole("status").filter({ hasText: "Withdrawal of 5.00 USD requested" }).waitFor();
      });

      await capture(visitor, "first-visit-trading", async () => {
        await goTo(page, "Trading");
        const form = page.getByRole("form", { name: "Place an order on BTC/USD" });
        await form.waitFor();
        await expectUsableByEveryone(page, "trading");
        // The side switch comes first; the submit button repeats its name.
        await form.getByRole("button", { name: "Buy BTC", exact: true }).first().click();
        await form.getByRole("button", { name: "Limit", exact: true }).click();
        await form.getByLabel("Price (USD)").fill("40000.00");
        await form.getByLabel("Quantity (BTC)").fill("0.001");
        await form.locator('button[type="submit"]').click();
        await form.getByRole("status").filter({ hasText: "placed" }).waitFor();
        await page.locator('[data-testid="my-order"][data-status="new"]').waitFor();
      });
      expect(visitor.errors).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
