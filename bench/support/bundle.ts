import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = new URL("../..", import.meta.url).pathname;

/**
 * Bundles the server the way `npm run build` does, into node_modules/.cache/<name> (so its dependencies
 * resolve): it then starts in about a second instead of ten under tsx, and nothing in the tree is touched.
 * Each bench bundles under its own name, so two benches never overwrite each other's bundle.
 */
export async function bundleServer(name: string): Promise<string> {
  const dir = join(root, "node_modules/.cache", name);
  const pkg = JSON.parse(readFileSync(join(root, "apps/server/package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  await build({
    entryPoints: [join(root, "apps/server/src/main.ts")],
    outfile: join(dir, "main.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: Object.keys(pkg.dependencies).filter((d) => !d.startsWith("@softchat/")),
    logLevel: "warning",
  });
  cpSync(join(root, "apps/server/src/migrations"), join(dir, "migrations"), { recursive: true });
  return join(dir, "main.js");
}
