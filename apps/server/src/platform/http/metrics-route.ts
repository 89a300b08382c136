import type { Metrics } from "../metrics.js";
import type { App } from "./app-type.js";

/** Label for requests no route matched, so scanners probing random URLs add one series, not thousands. */
const UNMATCHED = "unmatched";

/**
 * Counts and times every request by its route pattern (`/api/wallet/:userId/balance`, never the raw URL)
 * and serves the registry at `/metrics` in the Prometheus text format.
 */
export function registerMetrics(app: App, metrics: Metrics): void {
  app.addHook("onResponse", async (request, reply) => {
    metrics.observeHttp(
      request.method,
      request.routeOptions.url ?? UNMATCHED,
      reply.statusCode,
      reply.elapsedTime,
    );
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.render();
    return reply.header("content-type", metrics.contentType).send(body);
  });
}
