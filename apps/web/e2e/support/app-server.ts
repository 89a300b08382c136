import { DEMO_SEEDED_TOPIC } from "../../../server/src/modules/auth/seed.js";
import { eventually, startTestServer, type TestServer } from "../../../server/test/harness.js";
import { webDist } from "./web-build.js";

/**
 * A real Softchat node in embedded mode (PGlite) on a random port, serving the built web app, with the demo
 * accounts seeded as on a fresh `npm start`. Resolves once every module has finished its first-start work for
 * those accounts (the wallet funds them after commit), so a scenario sees them as a visitor a moment after
 * the start would, and balances it reads do not change under it.
 */
export async function startAppServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  const config = { SEED_DEMO: "true", WEB_DIST_DIR: webDist, ...overrides };
  const server = await startTestServer("pglite", config);
  if (config.SEED_DEMO === "false") return server;
  await eventually(
    async () => {
      const { rows } = await server.platform.db.query<{ seeded: string; pending: string }>(
        `SELECT count(*) AS seeded, count(*) FILTER (WHERE delivered_at IS NULL) AS pending
           FROM outbox WHERE topic = $1`,
        [DEMO_SEEDED_TOPIC],
      );
      if (rows[0]?.seeded === "0" || rows[0]?.pending !== "0")
        throw new Error("demo accounts not set up yet");
    },
    30_000,
    50,
  );
  return server;
}

export type { TestServer };
