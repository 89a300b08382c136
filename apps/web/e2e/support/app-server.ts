import { startTestServer, type TestServer } from "../../../server/test/harness.js";
import { webDist } from "./web-build.js";

/**
 * A real Softchat node in embedded mode (PGlite) on a random port, serving the built web app, with the demo
 * accounts seeded as on a fresh `npm start`.
 */
export function startAppServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer("pglite", { SEED_DEMO: "true", WEB_DIST_DIR: webDist, ...overrides });
}

export type { TestServer };
