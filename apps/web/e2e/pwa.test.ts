import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type TestServer } from "./support/app-server.js";
import { capture, launchBrowser, openVisitor, SCENARIO_TIMEOUT_MS } from "./support/browser.js";
import { ensureWebBuilt } from "./support/web-build.js";

describe("the installable app", () => {
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
    "has a manifest whose icons load",
    async () => {
      const res = await fetch(`${server.url}/manifest.webmanifest`);
      expect(res.status).toBe(200);
      const manifest = (await res.json()) as {
        name: string;
        start_url: string;
        icons: Array<{ src: string }>;
      };
      expect(manifest.name).toBe("Softchat");
      expect(manifest.start_url).toBe("/");
      expect(manifest.icons.length).toBeGreaterThanOrEqual(3);
      for (const icon of manifest.icons) {
        const png = await fetch(`${server.url}${icon.src}`);
        expect(png.headers.get("content-type"), icon.src).toBe("image/png");
        const bytes = new Uint8Array(await png.arrayBuffer());
        expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join(""), icon.src).toBe("PNG");
      }
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "opens offline from the service worker's cache, while API calls are never answered from it",
    async () => {
      const visitor = await openVisitor(browser, server.url);
      const { page, context } = visitor;
      await capture(visitor, "pwa-offline-shell", async () => {
        await page.goto("/signin");
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        await page.getByRole("button", { name: "Fill in demo account alice" }).waitFor();
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
          timeout: 30_000,
        });

        await context.setOffline(true);
        await page.reload();
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        // The demo list comes from /api/meta, which is network-only: offline, there is none to show.
        const api = await page.evaluate(() =>
          fetch("/api/meta").then(
            (r) => `answered ${r.status}`,
            () => "failed",
          ),
        );
        expect(api).toBe("failed");
        await expect(page.getByRole("button", { name: "Fill in demo account alice" }).count()).resolves.toBe(
          0,
        );
      }).finally(async () => {
        await context.setOffline(false);
        await context.close();
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
