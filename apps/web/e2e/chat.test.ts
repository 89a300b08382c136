import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, waitConnected } from "./support/actions.js";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, type Visitor } from "./support/browser.js";
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

  it("in a room, messages, typing and presence appear live in the other browser", async () => {
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
    await alice.page.locator('[data-testid="member"][data-username="bob"] [data-testid="presence"][data-status="online"]').waitFor();
    await bob.page.locator('[data-testid="member"][data-username="alice"] [data-testid="presence"][data-status="online"]').waitFor();

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
  });

  it("a direct message opened from the member list reaches the other person live, with an unread badge", async () => {
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
  });
});
