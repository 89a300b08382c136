import { statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";

/** Path prefixes the web app never answers: they belong to the API, the docs, sockets and operations. */
const RESERVED = ["/api", "/docs", "/socket.io", "/health", "/ready", "/metrics"];

/** True when `pathname` belongs to the server (so a miss there stays a JSON 404, never the app's HTML). */
export function isReservedPath(pathname: string): boolean {
  return RESERVED.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/**
 * The file under `root` that `pathname` names, as a path relative to `root`, or undefined when there is
 * none. Refuses anything that escapes `root` and dot-files (`/.vite/manifest.json` stays private).
 */
export function resolveStaticFile(root: string, pathname: string): string | undefined {
  const segments = pathname.split("/").filter(Boolean);
  if (segments.some((s) => s.startsWith(".") || s.includes("\\") || s.includes("\0"))) return undefined;
  const file = join(root, ...segments);
  const rel = relative(root, file);
  if (rel === "" || rel.startsWith("..") || rel.startsWith(sep)) return undefined;
  try {
    return statSync(file).isFile() ? rel.split(sep).join("/") : undefined;
  } catch {
    return undefined;
  }
}

/** A request for a missing file with an extension (`/assets/app-1234.js`) is a 404, not a client route. */
export function looksLikeFile(pathname: string): boolean {
  return extname(pathname) !== "";
}

/**
 * Hashed build output under `/assets/` never changes, so browsers may keep it for a year. Everything else
 * (index.html, the service worker, the manifest, icons) is revalidated so a deploy is seen at once.
 */
export function isImmutableAsset(relPath: string): boolean {
  return relPath.startsWith("assets/");
}
