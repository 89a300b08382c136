import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, signIn, waitConnected } from "./support/actions.js";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS, type Visitor } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

describe("two people chatting, each in their own browser", () => {
  let server: TestServer;
  let browser: Browser;
  let alice: Visitor;
  let bob: Visitor;

  beforeAll(async () => {
    await ensureWebBuilt();
    [server, browser] = await Promise.all([startAppServer(), launchBrowser()]);
    alice = await openVisitor(browser, server.url);
    bob = await openVisitor(browser, server.url);
    await Promise.all([signIn(alice.page, "alice"), signIn(bob.page, "bob")]);
    await Promise.all([waitConnected(alice.page), waitConnected(bob.page)]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "in a room, messages, typing and presence appear live in the other browser",
    async () => {
      const roomName = `general-${randomBytes(2).toString("hex")}`;
      const roomUrl = await capture(alice, "chat-room-alice-creates", async () => {
        await alice.page.getByLabel("Room name").fill(roomName);
        await alice.page.getByRole("button", { name: "Create room" }).click();
        await alice.page.getByRole("heading", { name: roomName }).waitFor();
        return alice.page.url();
      });

      await capture(bob, "chat-room-bob-joins", async () => {
        await bob.page.goto(roomUrl);
        await bob.page.getByRole("button", { name: "Join room" }).click();
        await bob.page.getByRole("heading", { name: roomName }).waitFor();
        await waitConnected(bob.page);
      });

      // Presence: each sees the other online in the member list, without reloading.
      await alice.page
        .locator('[data-testid="member"][data-username="bob"] [data-testid="presence"][data-status="online"]')
        .waitFor();
      await bob.page
        .locator(
          '[data-testid="member"][data-username="alice"] [data-testid="presence"][data-status="online"]',
        )
        .waitFor();

      // Typing shows up on the other side while bob types, then his message arrives.
      const bobBox = bob.page.getByRole("textbox", { name: `Message #${roomName}` });
      await bobBox.pressSequentially("Hello from Bob", { delay: 20 });
      await alice.page.getByTestId("typing-indicator").filter({ hasText: "bob is typing" }).waitFor();
      await bobBox.press("Enter");
      await alice.page.getByTestId("message").filter({ hasText: "Hello from Bob" }).waitFor();
      await alice.page.getByTestId("typing-indicator").filter({ hasText: /^$/ }).waitFor();

      // Text is shown as typed, never interpreted as HTML.
      const aliceBox = alice.page.getByRole("textbox", { name: `Message #${roomName}` });
      await aliceBox.fill("<b>not bold</b> & fine");
      await aliceBox.press("Enter");
      await capture(bob, "chat-room-bob-sees-reply", async () => {
        await bob.page.getByTestId("message").filter({ hasText: "<b>not bold</b> & fine" }).waitFor();
        expect(await bob.page.locator(".message-text b").count()).toBe(0);
      });
      await capture(alice, "chat-room-alice-view", async () => {
        await alice.page.getByTestId("message").filter({ hasText: "<b>not bold</b> & fine" }).waitFor();
        await expect(alice.page.locator('[data-testid="message"][data-status]').count()).resolves.toBe(0);
      });
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "a direct message opened from the member list reaches the other person live, with an unread badge",
    async () => {
      await capture(bob, "chat-dm-bob-sends", async () => {
        await bob.page.getByRole("button", { name: "Message alice directly" }).click();
        await bob.page.getByRole("heading", { name: "alice" }).waitFor();
        const box = bob.page.getByRole("textbox", { name: "Message alice" });
        await box.fill("Just between us");
        await box.press("Enter");
        await bob.page.getByTestId("message").filter({ hasText: "Just between us" }).waitFor();
      });

      await capture(alice, "chat-dm-alice-receives", async () => {
        const dmLink = alice.page.getByRole("link", { name: "Direct message with bob, 1 unread" });
        await dmLink.waitFor();
        await dmLink.click();
        await alice.page.getByTestId("message").filter({ hasText: "Just between us" }).waitFor();
        // Opening the DM reads it: the badge goes away.
        await alice.page.getByRole("link", { name: "Direct message with bob" }).waitFor();
      });
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
  it(
    "a long history is virtualized and older messages load when scrolling up",
    async () => {
      const login = await server.request("POST", "/api/auth/login", {
        body: { email: "alice@softchat.local", password: DEMO_PASSWORD },
      });
      const token: string = login.body.accessToken;
      const room = await server.request("POST", "/api/chat/rooms", {
        token,
        body: { name: `history-${randomBytes(2).toString("hex")}`, type: "public" },
      });
      const roomId: string = room.body.room.id;
      for (let i = 1; i <= 130; i++) {
        await server.request("POST", `/api/chat/rooms/${roomId}/messages`, {
          token,
          body: { text: `history message ${i}`, clientId: `history-${i}` },
        });
      }

      await capture(bob, "chat-history-scrolled-to-start", async () => {
        await bob.page.goto(`/chat/${roomId}`);
        await bob.page.getByRole("button", { name: "Join room" }).click();
        await bob.page.getByTestId("message").filter({ hasText: "history message 130" }).waitFor();
        // Only what is on screen (plus a margin) is in the page, not all 130 messages.
        expect(await bob.page.getByTestId("message").count()).toBeLessThan(60);

        // Scroll to the top; each time older messages arrive the list keeps the reader's place (it moves
        // away from the top), so scroll up again until the start of the room is reached.
        const list = bob.page.getByTestId("message-list");
        const atStart = () => bob.page.getByText("This is the beginning of the room.").count();
        for (let page = 0; page < 10 && (await atStart()) === 0; page++) {
          await list.evaluate((el) => {
            el.scrollTop = 0;
          });
          await bob.page.waitForFunction(
            () =>
              document.body.textContent?.includes("This is the beginning of the room.") ||
              (document.querySelector('[data-testid="message-list"]')?.scrollTop ?? 0) > 0,
          );
        }
        await list.evaluate((el) => {
          el.scrollTop = 0;
        });
        await bob.page
          .getByTestId("message")
          .filter({ hasText: /^.*history message 1$/ })
          .waitFor();
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
