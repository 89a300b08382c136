import type { Page } from "playwright-core";

/** The password of the seeded demo accounts (alice, bob, carol). */
export const DEMO_PASSWORD = "softchat-demo";

/** Signs in through the sign-in screen and waits until the app shows the user. */
export async function signIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/signin");
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Email").fill(`${username}@softchat.local`);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("current-user").filter({ hasText: username }).waitFor({ state: "attached" });
}

/** Waits for the live connection to be up (the banner's machine-readable state). */
export async function waitConnected(page: Page): Promise<void> {
  await page
    .locator('[data-testid="connection-banner"][data-state="connected"]')
    .waitFor({ state: "attached" });
}

/**
 * Starts keeping, inside the page, every state the connection banner shows with its text, in order
 * (`waitBannerShown` looks in them). A state may last well under a second (the reconnect backoff has full
 * jitter, so five quick failures can turn "reconnecting" into "offline" at once); polling the page for it
 * could miss it, while what the person saw is recorded here as it renders.
 */
export async function recordBanner(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Array<{ state: string; text: string }> = [];
    const read = () => {
      const el = document.querySelector<HTMLElement>('[data-testid="connection-banner"]');
      if (!el) return;
      const now = { state: el.dataset.state ?? "", text: el.textContent ?? "" };
      const last = seen.at(-1);
      if (last?.state !== now.state || last.text !== now.text) seen.push(now);
    };
    read();
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ["data-state"],
    });
    (window as unknown as { bannerSeen: typeof seen }).bannerSeen = seen;
  });
}

/** The banner states recorded since `recordBanner`, oldest first. */
function bannerHistory(page: Page): Promise<Array<{ state: string; text: string }>> {
  return page.evaluate(
    () => (window as unknown as { bannerSeen: Array<{ state: string; text: string }> }).bannerSeen,
  );
}

/** Waits until the banner has shown `state` since `recordBanner` (however briefly), and returns its text. */
export async function waitBannerShown(page: Page, state: string, timeout: number): Promise<string> {
  await page.waitForFunction(
    (wanted) =>
      (window as unknown as { bannerSeen?: Array<{ state: string }> }).bannerSeen?.some(
        (s) => s.state === wanted,
      ),
    state,
    { timeout },
  );
  const shown = (await bannerHistory(page)).find((s) => s.state === state);
  return shown?.text ?? "";
}
