import { rmSync } from "node:fs";
import type { Config } from "../../../server/src/config.js";
import { type RunningServer, startServer } from "../../../server/src/server.js";
import { testConfig } from "../../../server/test/harness.js";
import { webDist } from "./web-build.js";

/** A Softchat node that can be stopped and started again on the same port over the same data. */
export interface RestartableServer {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (if running) and deletes its data. */
  dispose(): Promise<void>;
}

/**
 * Embedded mode as `npm start` runs it: PGlite files in a data directory of its own, so a restart keeps
 * every user, room and message, and the same port so browsers reconnect to the same address.
 */
export async function startRestartableServer(): Promise<RestartableServer> {
  let config: Config = testConfig("pglite", { SEED_DEMO: "true", WEB_DIST_DIR: webDist });
  let running: RunningServer | null = await startServer(config);
  config = { ...config, PORT: running.port };
  const url = running.url;
  return {
    url,
    async stop() {
      await running?.close();
      running = null;
    },
    async start() {
      running ??= await startServer(config);
    },
    async dispose() {
      await running?.close();
      running = null;
      rmSync(config.DATA_DIR, { recursive: true, force: true });
    },
  };
}
