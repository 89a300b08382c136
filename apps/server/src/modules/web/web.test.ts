import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, startTestServer, type TestServer } from "../../../test/harness.js";

const INDEX_HTML =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script></head></html>';

function makeFakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), "softchat-web-"));
  mkdirSync(join(dir, "assets"));
  mkdirSync(join(dir, ".vite"));
  writeFileSync(join(dir, "index.html"), INDEX_HTML);
  writeFileSync(join(dir, "assets", "app-1a2b.js"), "console.log('softchat');");
  writeFileSync(join(dir, "sw.js"), "self.addEventListener('install', () => {});");
  writeFileSync(join(dir, "manifest.webmanifest"), '{"name":"Softchat"}');
  writeFileSync(join(dir, ".vite", "manifest.json"), "{}");
  return dir;
}

describe.each(engines)("serving the web app (%s)", (engine) => {
  let server: TestServer;
  let dist: string;

  beforeAll(async () => {
    dist = makeFakeDist();
    server = await startTestServer(engine, { WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("answers / with the app's index.html, revalidated on every visit", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toBe(INDEX_HTML);
  });

  it("answers a client route such as /chat/123 with index.html so a reload keeps the page", async () => {
    for (const path of ["/chat/123", "/wallet", "/index.html", "/apis-are-not-reserved"]) {
      const res = await fetch(`${server.url}${path}`, { headers: { accept: "text/html" } });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(INDEX_HTML);
    }
  });

  it("serves hashed assets with a one-year immutable cache and the service worker uncached", async () => {
    const asset = await fetch(`${server.url}/assets/app-1a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("cache-control")).toContain("max-age=31536000");

    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get("cache-control")).toBe("no-cache");
    expect(await sw.text()).toContain("install");

    const manifest = await fetch(`${server.url}/manifest.webmanifest`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("content-type")).toContain("manifest+json");
  });

  it("answers a missing file with a 404, never with the app's HTML", async () => {
    const res = await server.request("GET", "/assets/app-gone.js");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("leaves API, docs, socket and operations paths to the server: unknown ones stay JSON 404s", async () => {
    for (const path of ["/api/nothing-here", "/api", "/docs/nothing-here", "/metrics/x", "/health/x"]) {
      const res = await server.request("GET", path, { headers: { accept: "text/html" } });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe("not_found");
    }
    const health = await server.request("GET", "/health");
    expect(health.body).toEqual({ status: "ok" });
  });

  it("never serves files outside the build or its dot-folders", async () => {
    for (const path of [
      "/.vite/manifest.json",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/assets/..%2f..%2fpackage.json",
    ]) {
      const res = await fetch(`${server.url}${path}`);
      const text = await res.text();
      expect(text, path).not.toContain("root:");
      expect(text, path).not.toBe("{}");
      expect(text, path).not.toContain('"name"');
    }
  });
});

describe("without a built web app", () => {
  it("still starts and says at / how to build the app", async () => {
    const server = await startTestServer("pglite", { WEB_DIST_DIR: join(tmpdir(), "softchat-no-such-dist") });
    try {
      const res = await fetch(`${server.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("npm run build");
      const api = await server.request("GET", "/api/nothing-here");
      expect(api.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
