/**
 * `npm run audit:verify`: checks the audit log's hash chain in the database the environment names
 * (DATABASE_URL, or the embedded database under DATA_DIR; stop the embedded server first, PGlite has one
 * writer). Prints one JSON line; exits 1 when the chain is broken, 2 when it could not be checked.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, loadConfig } from "../config.js";
import { verifyAuditChain } from "../platform/audit/index.js";
import { openDatabase } from "../platform/db/index.js";

async function main(): Promise<number> {
  const config = loadConfig();
  const embeddedDir = join(resolve(config.DATA_DIR), "pglite");
  if (config.mode === "embedded" && !existsSync(embeddedDir)) {
    throw new Error(`no embedded database at ${embeddedDir} (set DATA_DIR or DATABASE_URL)`);
  }
  const db = await openDatabase(config);
  try {
    const report = await verifyAuditChain(db);
    process.stdout.write(`${JSON.stringify({ database: config.mode, ...report })}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof ConfigError ? err.message : `could not verify: ${(err as Error).message}`;
    process.stderr.write(`audit:verify: ${message}\n`);
    process.exit(2);
  },
);
