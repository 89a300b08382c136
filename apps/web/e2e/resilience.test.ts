import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordBanner, signIn, waitBannerShown, waitConnected } from "./support/actions.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS, type Visitor } from "./support/browser.js";
import { type RestartableServer, startRestartableServer } from "./support/restartable-server.js";
import { ensureWebBuilt } from "./support/web-build.js";

const RECONNECT_TIMEOUT_MS = 45_000;

function banner(page: Page, state: string) {
  return page.locator(`[data-testid="connection-banner"][data-state="${state}"]`);
}

describe("a server restart in the middle of a chat", () => {
  let server: RestartableServer;
  let browser: Browser;
  let alice: Visitor;
  let bob: Visitor;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startRestartableServer(), launchBrowser()]);
    alice = await openVisitor(browser, server.url);
    bob = await openVisitor(browser, server.url);
    await Promise.all([signIn(alice.page, "alice"), signIn(bob.page, "bob")]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it(
    "shows reconnecting, then delivers everything written while the server was down",
    async () => {
      const roomName = `ops-${randomBytes(2).toString("hex")}`;
      await alice.page.getByLabel("Room name").fill(roomName);
      await alice.page.getByRole("button", { name: "Create room" }).click();
      await alice.page.getByRole("heading", { name: roomName }).waitFor();
      await bob.page.goto(alice.page.url());
      await bob.page.getByRole("button", { name: "Join room" }).click();
      await bob.page.getByRole("heading", { name: roomName }).waitFor();
      await Promise.all([waitConnected(alice.page), waitConnected(bob.page)]);

      const aliceBox = alice.page.getByRole("textbox", { name: `Message #${roomName}` });
      const bobBox = bob.page.getByRole("textbox", { name: `Message #${roomName}` });
      await aliceBox.fill("before the restart");
      await aliceBox.press("Enter");
      await bob.page.getByTestId("message").filter({ hasText: "before the restart" }).waitFor();

      await Promise.all([recordBanner(alice.page), recordBanner(bob.page)]);
      await server.stop();
      // Both screens say so at once. What each banner showed is recorded in the page as it renders: after a
      // few failed attempts (full-jitter backoff, so sometimes within a second) the SDK turns to HTTP
      // polling and, the server being down, shows "offline" instead, so looking for "reconnecting" on the
      // screen at some later moment could miss it.
      await Promise.all([
        capture(bob, "restart-bob-reconnecting", async () => {
          const text = await waitBannerShown(bob.page, "reconnecting", RECONNECT_TIMEOUT_MS);
          expect(text).toContain("Reconnecting");
        }),
        capture(alice, "restart-alice-reconnecting", async () => {
          const text = await waitBannerShown(alice.page, "reconnecting", RECONNECT_TIMEOUT_MS);
          expect(text).toContain("Reconnecting");
          // Written while the server is away: shown at once, marked as waiting.
          await aliceBox.fill("written during the outage");
          await aliceBox.press("Enter");
          await alice.page
            .locator('[data-testid="message"][data-status="queued"]')
            .filter({ hasText: "written during the outage" })
            .waitFor();
        }),
      ]);
      await bobBox.fill("bob also wrote while it was down");
      await bobBox.press("Enter");

      await server.start();
      await capture(bob, "restart-bob-after", async () => {
        await bob.page
          .getByTestId("message")
          .filter({ hasText: "written during the outage" })
          .waitFor({ timeout: RECONNECT_TIMEOUT_MS });
      });
      await capture(alice, "restart-alice-after", async () => {
        await alice.page
          .getByTestId("message")
          .filter({ hasText: "bob also wrote while it was down" })
          .waitFor({ timeout: RECONNECT_TIMEOUT_MS });
        await banner(alice.page, "connected").waitFor({ state: "attached", timeout: RECONNECT_TIMEOUT_MS });
      });

      // Each message exactly once on both sides, none left pending.
      for (const visitor of [alice, bob]) {
        for (const text of [
          "before the restart",
          "written during the outage",
          "bob also wrote while it was down",
        ]) {
          await expect(visitor.page.getByTestId("message").filter({ hasText: text }).count()).resolves.toBe(
            1,
          );
        }
        await expect(visitor.page.locator('[data-testid="message"][data-status]').count()).resolves.toBe(0);
      }
    },
    SCENARIO_TIMEOUT_MS,
  );
});
