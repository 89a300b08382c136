import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuilt, webDist } from "./support/web-build.js";

/** The budget: the JavaScript the sign-in screen needs, gzipped. */
const SIGN_IN_BUDGET_BYTES = 250 * 1024;

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(webDist, ".vite", "manifest.json"), "utf8")) as Manifest;
}

/** The chunk and everything it imports statically (what the browser must load before it can run). */
function staticClosure(manifest: Manifest, key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) staticClosure(manifest, dep, seen);
  return seen;
}

function gzippedSize(file: string): number {
  return gzipSync(readFileSync(join(webDist, file)), { level: 9 }).length;
}

function keyOf(manifest: Manifest, srcPart: string): string {
  const key = Object.keys(manifest).find((k) => k.includes(srcPart));
  if (!key) throw new Error(`no chunk for ${srcPart} in the build manifest`);
  return key;
}

describe("bundle budget", () => {
  beforeAll(() => ensureWebBuilt(), 240_000);

  it("index.html loads only built module scripts: no inline script, so it runs under script-src 'self'", () => {
    const html = readFileSync(join(webDist, "index.html"), "utf8");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs = "", body = ""] of scripts) {
      expect(attrs).toMatch(/\bsrc="\//);
      expect(body.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+="/i);
  });

  it("the sign-in screen needs under 250 KB of JavaScript, gzipped", () => {
    const manifest = readManifest();
    const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
    expect(entry).toBeDefined();
    const eager = staticClosure(manifest, entry ?? "");
    const signIn = staticClosure(manifest, keyOf(manifest, "screens/auth/SignInScreen"));
    const files = new Set([...eager, ...signIn].map((k) => manifest[k]?.file ?? ""));
    const total = [...files].filter((f) => f.endsWith(".js")).reduce((sum, f) => sum + gzippedSize(f), 0);
    console.info(`sign-in JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${files.size} chunks`);
    expect(total).toBeLessThan(SIGN_IN_BUDGET_BYTES);
  });

  it("heavy screens (trading, admin, wallet, chat) are loaded lazily, not with the first page", () => {
    const manifest = readManifest();
    const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry) ?? "";
    const eager = staticClosure(manifest, entry);
    for (const screen of ["screens/trading/", "screens/admin/", "screens/wallet/", "screens/chat/"]) {
      const key = keyOf(manifest, screen);
      expect(manifest[key]?.isDynamicEntry, screen).toBe(true);
      expect(eager.has(key), screen).toBe(false);
    }
    // lightweight-charts, the heaviest dependency, arrives with the trading screen and not before.
    const codeOf = (keys: Iterable<string>) =>
      [...keys].map((k) => readFileSync(join(webDist, manifest[k]?.file ?? ""), "utf8")).join("\n");
    const CHART_MARKER = "tv-lightweight-charts";
    expect(codeOf(staticClosure(manifest, keyOf(manifest, "screens/trading/")))).toContain(CHART_MARKER);
    expect(codeOf(eager)).not.toContain(CHART_MARKER);
  });
});
