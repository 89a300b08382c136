// Builds the server bundle (and the web app when it has a build) so `npm start` starts at once.
import { execSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const serverPkg = JSON.parse(readFileSync(`${root}apps/server/package.json`, "utf8"));
const external = Object.keys(serverPkg.dependencies).filter((d) => !d.startsWith("@softchat/"));

rmSync(`${root}apps/server/dist`, { recursive: true, force: true });
await build({
  entryPoints: [`${root}apps/server/src/main.ts`],
  outfile: `${root}apps/server/dist/main.js`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external,
  logLevel: "warning",
});
cpSync(`${root}apps/server/src/migrations`, `${root}apps/server/dist/migrations`, { recursive: true });

const webPkg = JSON.parse(readFileSync(`${root}apps/web/package.json`, "utf8"));
if (webPkg.scripts?.build && existsSync(`${root}apps/web/index.html`)) {
  execSync("npm run build --workspace @softchat/web", { stdio: "inherit", cwd: root });
}
