import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { repoRoot } from "./web-build.js";

/** Debian's chromium; CHROMIUM_PATH overrides it on machines that keep it elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** How long one browser scenario may take: several real round trips through two browsers and a server. */
export const SCENARIO_TIMEOUT_MS = 120_000;

/** How long a locator waits; longer in CI, where the browsers share two cores with the rest of the suite. */
const LOCATOR_TIMEOUT_MS = process.env.CI ? 30_000 : 15_000;

/** Screenshots of every scenario land here (gitignored). */
export const resultsDir = join(repoRoot, "test-results");

/**
 * Starts headless chromium with a fresh profile. There is no skip: a browser that cannot start fails the
 * suite, so CI never reports green without having run the browser tests.
 */
export async function launchBrowser(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      timeout: 60_000,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    });
  } catch (err) {
    throw new Error(
      `chromium could not start from ${chromiumPath} (install it with \`apt-get install chromium\` or set ` +
        `CHROMIUM_PATH): ${(err as Error).message}`,
    );
  }
}

/** One person at one browser: a context of its own (cookies, storage, service worker) and a page. */
export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions the page produced, as text. */
  errors: string[];
}

/** Opens a new context and page on `baseUrl`, recording console errors and page errors. */
export async function openVisitor(
  browser: Browser,
  baseUrl: string,
  options: { width?: number; height?: number } = {},
): Promise<Visitor> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
  });
  context.setDefaultTimeout(LOCATOR_TIMEOUT_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  return { context, page, errors };
}

/** Saves a full-page screenshot as test-results/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/**
 * Runs one scenario step for a visitor and always leaves a screenshot behind: `<name>.png` when it passed,
 * `<name>-failed.png` when it threw (the picture is usually the quickest way to see why).
 */
export async function capture<T>(visitor: Visitor, name: string, step: () => Promise<T>): Promise<T> {
  try {
    const result = await step();
    await screenshot(visitor.page, name);
    return result;
  } catch (err) {
    await screenshot(visitor.page, `${name}-failed`).catch(() => {});
    throw err;
  }
}
