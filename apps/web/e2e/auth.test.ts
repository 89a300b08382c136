import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

describe("signing up and signing in, in a real browser", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startAppServer(), launchBrowser()]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "a new visitor signs up and lands in the app, with no console errors",
    async () => {
      const visitor = await openVisitor(browser, server.url);
      const { page, context, errors } = visitor;
      await capture(visitor, "auth-sign-up", async () => {
        await page.goto("/");
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        await page.getByRole("link", { name: "Create an account" }).click();
        await page.getByRole("heading", { name: "Create your account" }).waitFor();

        const username = `dana_${randomBytes(3).toString("hex")}`;
        await page.getByLabel("Email").fill(`${username}@example.test`);
        await page.getByLabel("Username").fill(username);
        await page.getByLabel("Password").fill("correct horse battery");
        await page.getByRole("button", { name: "Create account" }).click();

        await page.getByTestId("current-user").filter({ hasText: username }).waitFor();
        expect(new URL(page.url()).pathname).toBe("/chat");
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Wallet" }).waitFor();
        expect(errors).toEqual([]);
      }).finally(() => context.close());
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a demo account fills the sign-in form in one click, and the session survives a reload",
    async () => {
      const visitor = await openVisitor(browser, server.url);
      const { page, context, errors } = visitor;
      await capture(visitor, "auth-demo-sign-in", async () => {
        await page.goto("/wallet");
        // Signed out, so the guard sends the visitor to sign in and back to the wallet afterwards.
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        await page.getByRole("button", { name: "Fill in demo account alice" }).click();
        await expect(page.getByLabel("Email").inputValue()).resolves.toBe("alice@softchat.local");
        await page.getByRole("button", { name: "Sign in" }).click();

        await page.getByTestId("current-user").filter({ hasText: "alice" }).waitFor();
        expect(new URL(page.url()).pathname).toBe("/wallet");

        await page.reload();
        await page.getByTestId("current-user").filter({ hasText: "alice" }).waitFor();
        expect(new URL(page.url()).pathname).toBe("/wallet");
        expect(errors).toEqual([]);
      }).finally(() => context.close());
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a wrong password gets a clear message and no session",
    async () => {
      const visitor = await openVisitor(browser, server.url, { width: 375, height: 740 });
      const { page, context } = visitor;
      await capture(visitor, "auth-wrong-password-375px", async () => {
        await page.goto("/signin");
        await page.getByLabel("Email").fill("alice@softchat.local");
        await page.getByLabel("Password").fill("not-the-password");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("alert").filter({ hasText: "do not match" }).waitFor();
        expect(new URL(page.url()).pathname).toBe("/signin");
      }).finally(() => context.close());
    },
    SCENARIO_TIMEOUT_MS,
  );
});
