// `npm start`: runs the built server, building first if the bundle is missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
if (!existsSync(`${root}apps/server/dist/main.js`)) {
  const built = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(`${root}apps/server/dist/main.js`);
