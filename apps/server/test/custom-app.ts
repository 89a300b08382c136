import { Writable } from "node:stream";
import pino from "pino";
import { buildApp } from "../src/app.js";
import type { SoftchatModule } from "../src/modules/index.js";
import { createPlatform, type Platform } from "../src/platform/bootstrap.js";
import type { App } from "../src/platform/http/app-type.js";
import {
  createTestDatabase,
  type Engine,
  type RequestOptions,
  request,
  type TestResponse,
  testConfig,
} from "./harness.js";

export interface CustomApp {
  app: App;
  platform: Platform;
  url: string;
  /** Every JSON log line the node wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

/**
 * A real node on port 0 with only the given modules (test-only routes, for what no real module offers
 * yet), its logs captured at info level so tests can read them.
 */
export async function startCustomApp(
  engine: Engine,
  modules: SoftchatModule[],
  overrides: Record<string, string> = {},
): Promise<CustomApp> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const testDb = await createTestDatabase(engine);
  const config = testConfig(engine, overrides);
  const platform = await createPlatform(config, { db: testDb.db, logger: pino({ level: "info" }, sink) });
  const app = await buildApp(platform, { modules });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    platform,
    url,
    logs,
    request: (method, path, options) => request(url, method, path, options),
    async close() {
      await app.close();
      await platform.shutdown();
      await testDb.cleanup().catch(() => {});
    },
  };
}
