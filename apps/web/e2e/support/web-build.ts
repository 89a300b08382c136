import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The web app's folder (apps/web). */
export const webRoot = resolve(here, "..", "..");
/** The repository root. */
export const repoRoot = resolve(webRoot, "..", "..");
/** Where the web build goes and the server serves it from. */
export const webDist = join(webRoot, "dist");

/** What the bundle is built from: newer than the build means the build is stale. */
const SOURCES = [
  join(webRoot, "src"),
  join(webRoot, "build"),
  join(webRoot, "index.html"),
  join(webRoot, "vite.config.ts"),
  join(repoRoot, "packages", "sdk", "src"),
  join(repoRoot, "packages", "contracts", "src"),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isFresh(): boolean {
  const built = join(webDist, "index.html");
  if (!existsSync(built) || !existsSync(join(webDist, ".vite", "manifest.json"))) return false;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.every((source) => newestMtime(source) <= builtAt);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the web app unless `apps/web/dist` is newer than every source it is built from. Test files run in
 * parallel workers, so one build runs at a time under a lock directory and the others wait for it.
 */
export async function ensureWebBuilt(timeoutMs = 240_000): Promise<void> {
  const lock = join(repoRoot, ".tmp", "web-build.lock");
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    if (isFresh()) return;
    try {
      mkdirSync(lock);
    } catch {
      const owner = Number.parseInt(readOwner(lock), 10);
      const abandoned = Number.isFinite(owner) ? !pidAlive(owner) : lockAgeMs(lock) > 10_000;
      if (abandoned) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error("timed out waiting for another web build");
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      writeFileSync(join(lock, "pid"), String(process.pid));
      if (!isFresh()) build();
      return;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function lockAgeMs(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

function readOwner(lock: string): string {
  try {
    return readFileSync(join(lock, "pid"), "utf8");
  } catch {
    return "";
  }
}

function build(): void {
  const require = createRequire(join(webRoot, "package.json"));
  const viteBin = join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");
  execFileSync(process.execPath, [viteBin, "build", "--logLevel", "warn"], {
    cwd: webRoot,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
}
