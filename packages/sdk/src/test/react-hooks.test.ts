import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../../apps/server/test/factories.js";
import { eventually, startTestServer, type TestServer } from "../../../../apps/server/test/harness.js";
import { closeServer, signedInClient } from "./clients.js";

/** Serves the hooks page: its HTML and its bundle (React, the SDK, the hooks), built for the browser. */
async function servePage(): Promise<{ server: Server; origin: string; bundleBytes: number }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./react-page/app.ts", import.meta.url))],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    minify: true,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const bundle = result.outputFiles[0]?.contents ?? new Uint8Array();
  const html =
    '<!doctype html><html><body><div id="root"></div><script type="module" src="/app.js"></script></body></html>';
  const server = createServer((req, res) => {
    if (req.url === "/app.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    else res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, origin: `http://127.0.0.1:${port}`, bundleBytes: bundle.byteLength };
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? "";
const messages = (page: Page) => page.locator("#messages li").allTextContents();

// The hooks in a real React 19 in a real browser (Debian's chromium), against a real server: also proof that
// the SDK runs in a browser with nothing Node-only. One engine is enough: the server side is covered elsewhere.
describe("React hooks in a browser", () => {
  let page: { server: Server; origin: string; bundleBytes: number };
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    page = await servePage();
    server = await startTestServer("pglite", { CORS_ORIGINS: page.origin, PRESENCE_OFFLINE_GRACE_MS: "0" });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    page?.server.close();
  });

  it("shows live chat with delivery states, typing, presence, connection state and the unread count", async () => {
    const alice = await createUser(server.platform);
    const { client: bob, user: bobUser } = await signedInClient(server);
    const admin = (
      await signedInClient(server, { user: await createUser(server.platform, { role: "admin" }) })
    ).client;
    const room = await bob.chat.createRoom({ name: "browser", type: "private", memberIds: [alice.id] });
    await bob.chat.send(room.id, { text: "history" });

    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (err) => errors.push(err.message));
    const config = { baseUrl: server.url, accessToken: alice.token, roomId: room.id, peerId: bobUser.id };
    await tab.goto(`${page.origin}/#${encodeURIComponent(JSON.stringify(config))}`);

    await eventually(async () => expect(await text(tab, "#connection")).toBe("connected"), 20_000);
    await eventually(async () => expect(await messages(tab)).toEqual(["history"]), 10_000);
    expect(await text(tab, "#presence")).toBe("offline");

    // Bob comes online, types and writes: all of it shows up live.
    const bobMessages: string[] = [];
    bob.realtime.on("message_received", (e) => bobMessages.push(e.message.text));
    bob.realtime.connect();
    await bob.realtime.joinRoom(room.id);
    await eventually(async () => expect(await text(tab, "#presence")).toBe("online"));
    await bob.realtime.startTyping(room.id);
    await eventually(async () => expect(await text(tab, "#typing")).toBe(bobUser.id));
    await bob.realtime.sendMessage(room.id, "hello from node");
    await eventually(async () => expect(await messages(tab)).toEqual(["history", "hello from node"]));

    // Alice answers from the page: it reaches Bob once and ends up "sent".
    await tab.fill("#text", "hello from the browser <b>");
    await tab.click("button[type=submit]");
    await eventually(() => expect(bobMessages).toEqual(["hello from node", "hello from the browser <b>"]));
    await eventually(async () =>
      expect(await tab.locator("#messages li").last().getAttribute("data-status")).toBe("sent"),
    );
    expect(await messages(tab)).toEqual(["history", "hello from node", "hello from the browser <b>"]);

    await admin.notifications.send({ userId: alice.id, type: "system", title: "Welcome", body: "" });
    await eventually(async () => expect(await text(tab, "#unread")).toBe("1"));
    await tab.click("#notifications button");
    await eventually(async () => expect(await text(tab, "#unread")).toBe("0"));
    expect(await alice.token).toBeTruthy();
    await eventually(async () =>
      expect(await bob.notifications.unreadCount(alice.id).catch(() => -1)).toBe(-1),
    );

    bob.realtime.reset();
    await eventually(async () => expect(await text(tab, "#presence")).toBe("offline"));
    expect(errors).toEqual([]);
    // The SDK with React and the hooks, minified: a useful number for the web app's budget.
    expect(page.bundleBytes).toBeLessThan(400_000);
  }, 90_000);
});
