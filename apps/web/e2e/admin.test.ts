import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, signIn, waitConnected } from "./support/actions.js";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS, type Visitor } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

describe("an admin freezing a user, each in their own browser", () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Visitor;
  let bob: Visitor;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startAppServer(), launchBrowser()]);
    admin = await openVisitor(browser, server.url);
    bob = await openVisitor(browser, server.url);
    await Promise.all([signIn(admin.page, "admin"), signIn(bob.page, "bob")]);
    await bob.page.goto("/wallet");
    await Promise.all([waitConnected(admin.page), waitConnected(bob.page)]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "the frozen user is told at once and then gets a clear error on transfer",
    async () => {
      await capture(bob, "admin-bob-deposits", async () => {
        await bob.page.getByRole("button", { name: "Deposit", exact: true }).click();
        await bob.page.getByLabel("Amount").fill("10");
        await bob.page
          .getByRole("form", { name: "Deposit" })
          .getByRole("button", { name: "Deposit" })
          .click();
        await bob.page.getByRole("status").filter({ hasText: "Deposited 10.00 USD" }).waitFor();
      });
      // The admin finds bob by id, as support would from a ticket or the AML queue.
      const login = await server.request("POST", "/api/auth/login", {
        body: { email: "bob@softchat.local", password: DEMO_PASSWORD },
      });
      const bobId: string = login.body.user.id;
      const usdOfBob = async (): Promise<string | undefined> => {
        const balance = await server.request("GET", `/api/wallet/${bobId}/balance`, {
          token: login.body.accessToken,
        });
        return balance.body.balances.find((b: { asset: string }) => b.asset === "USD")?.available;
      };
      const before = await usdOfBob();
      expect(before).toMatch(/^\d+\.\d{2}$/);

      await capture(admin, "admin-freezes-bob", async () => {
        await admin.page
          .getByRole("navigation", { name: "Main" })
          .getByRole("link", { name: "Admin" })
          .click();
        await admin.page.getByLabel("User id").fill(bobId);
        await admin.page.getByRole("button", { name: "Look up" }).click();
        await admin.page.getByTestId("user-admin").filter({ hasText: "bob" }).waitFor();
        await admin.page.getByLabel("Frozen: transfers and withdrawals are blocked").check();
        await admin.page.getByRole("button", { name: "Save changes" }).click();
        await admin.page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
        await admin.page.getByTestId("user-admin").getByText("Frozen", { exact: true }).waitFor();
      });

      await capture(bob, "admin-bob-sees-alert", async () => {
        await bob.page.getByRole("alert").filter({ hasText: "Your account is frozen" }).waitFor();
      });

      await capture(bob, "admin-bob-transfer-refused", async () => {
        await bob.page.getByRole("button", { name: "Send", exact: true }).click();
        await bob.page.getByLabel("Recipient").fill("alice");
        await bob.page.getByLabel("Amount").fill("5");
        await bob.page.getByRole("button", { name: "Review transfer" }).click();
        await bob.page.getByRole("button", { name: "Confirm and send" }).click();
        await bob.page
          .getByTestId("transfer-error")
          .filter({ hasText: "Your account is frozen, so money cannot move" })
          .waitFor();
      });
      // Nothing left bob's wallet.
      expect(await usdOfBob()).toBe(before);

      expect(admin.errors).toEqual([]);
      // The refused transfer is the only thing the browser reports (Chrome logs every 4xx response).
      expect(bob.errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a deposit withdrawn again at once lands in the admin's AML queue, where the admin resolves it",
    async () => {
      // Carol puts 100 USD in and takes 90 out within the hour: the rapid in-and-out rule flags her.
      const login = await server.request("POST", "/api/auth/login", {
        body: { email: "carol@softchat.local", password: DEMO_PASSWORD },
      });
      const carol = { id: login.body.user.id as string, token: login.body.accessToken as string };
      for (const [path, body] of [
        ["deposits", { asset: "USD", amount: "100", provider: "sandbox" }],
        ["withdrawals", { asset: "USD", amount: "90", destination: "bank-carol" }],
      ] as const) {
        const res = await server.request("POST", `/api/wallet/${carol.id}/${path}`, {
          token: carol.token,
          headers: { "idempotency-key": crypto.randomUUID() },
          body,
        });
        expect(res.status).toBe(201);
      }

      const flag = admin.page
        .locator(".aml-flag")
        .filter({ hasText: carol.id })
        .filter({ hasText: "Rapid in and out" });
      await capture(admin, "admin-aml-queue", async () => {
        await admin.page.goto("/admin");
        await admin.page.getByRole("heading", { name: "AML review queue" }).waitFor();
        // Rules run after commit: the admin reloads the queue until the flag is there, as a reviewer would.
        await expect
          .poll(async () => {
            await admin.page.getByLabel("Show").selectOption("resolved");
            await admin.page.getByLabel("Show").selectOption("open");
            return flag.count();
          })
          .toBe(1);
        await flag.getByRole("button", { name: "Resolve" }).click();
        await flag.waitFor({ state: "detached" });
        await admin.page.getByLabel("Show").selectOption("resolved");
        await flag.waitFor();
      });
      expect(admin.errors).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
