/**
 * `npm run bench -- <name> [args]` runs `bench/<name>.ts`; `npm run bench` runs every bench script with
 * small defaults (BENCH_QUICK=1). Each script prints one JSON line; this runner passes them through and
 * fails if any script fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const [name, ...args] = process.argv.slice(2);

function scripts(): string[] {
  if (name !== undefined) {
    if (!/^[a-z0-9-]+$/.test(name) || !existsSync(`${dir}${name}.ts`)) {
      const known = readdirSync(dir)
        .filter((f) => /^[a-z0-9-]+\.ts$/.test(f) && f !== "run.ts")
        .map((f) => f.slice(0, -3));
      process.stderr.write(`bench: no benchmark "${name}" (known: ${known.join(", ")})\n`);
      process.exit(2);
    }
    return [`${name}.ts`];
  }
  return readdirSync(dir)
    .filter((f) => /^[a-z0-9-]+\.ts$/.test(f) && f !== "run.ts")
    .sort();
}

let failed = 0;
for (const file of scripts()) {
  const result = spawnSync(process.execPath, ["--import", "tsx", `${dir}${file}`, ...args], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, ...(name === undefined ? { BENCH_QUICK: "1" } : {}) },
  });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${file} failed (exit ${result.status ?? result.signal})\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
