import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Finds the built web app: `WEB_DIST_DIR` when set, otherwise the first `apps/web/dist` holding an
 * `index.html` above this file. Walking up works from the source tree (`apps/server/src/modules/web`), from
 * the bundle (`apps/server/dist/main.js`) and from a container that keeps the repository layout.
 * Returns undefined when the web app has not been built.
 */
export function locateWebDist(configured: string | undefined, from = import.meta.url): string | undefined {
  if (configured) {
    const dir = resolve(configured);
    return existsSync(join(dir, "index.html")) ? dir : undefined;
  }
  const candidates: string[] = [];
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    candidates.push(join(dir, "apps", "web", "dist"));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  candidates.push(resolve("apps", "web", "dist"));
  return candidates.find((candidate) => existsSync(join(candidate, "index.html")));
}
