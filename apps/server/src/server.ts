import { buildApp } from "./app.js";
import type { Config } from "./config.js";
import { createPlatform, type Platform, type PlatformOptions } from "./platform/bootstrap.js";
import type { App } from "./platform/http/app-type.js";
import { startOutboxPrune } from "./platform/outbox/index.js";

export interface RunningServer {
  app: App;
  platform: Platform;
  /** The address it listens on, e.g. http://localhost:3000. */
  url: string;
  port: number;
  /** Stops accepting, finishes in-flight requests, runs shutdown hooks, closes the database. */
  close(): Promise<void>;
}

/** Starts a complete Softchat node: platform, app, background work, listening socket. */
export async function startServer(config: Config, options: PlatformOptions = {}): Promise<RunningServer> {
  const platform = await createPlatform(config, options);
  let app: App;
  try {
    app = await buildApp(platform);
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    await platform.shutdown();
    throw err;
  }
  platform.outbox.start();
  startOutboxPrune(platform, config.OUTBOX_RETENTION_HOURS);
  await platform.jobs.start();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  let closing: Promise<void> | undefined;
  return {
    app,
    platform,
    port,
    url: `http://localhost:${port}`,
    close() {
      closing ??= (async () => {
        // A keep-alive connection busy when the close began turns idle once its response is sent; Node's
        // close() would then wait for the client's keep-alive timeout. Close such connections as they idle.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        await platform.shutdown();
      })();
      return closing;
    },
  };
}
