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
