import { createRequire } from "node:module";
import Fastify from "fastify";
import pino from "pino";
import { randomUUID } from "node:crypto";
import { registerSecurity } from "../apps/server/src/platform/http/security.js";
import { registerDocs } from "../apps/server/src/platform/http/docs.js";
import { registerMetrics } from "../apps/server/src/platform/http/metrics-route.js";
import { Metrics } from "../apps/server/src/platform/metrics.js";
import type { App } from "../apps/server/src/platform/http/app-type.js";
const autocannon = createRequire(import.meta.url)("autocannon") as (o: object) => Promise<{ requests: { average: number } }>;
const parts = (process.argv[2] ?? "").split(",");
const app = Fastify({
  ...(parts.includes("logger") ? { loggerInstance: pino({ level: "warn" }) } : {}),
  ...(parts.includes("reqid") ? { genReqId: () => randomUUID(), requestIdHeader: false } : {}),
}) as unknown as App;
if (parts.includes("helmet")) await registerSecurity(app, { CORS_ORIGINS: [] });
if (parts.includes("docs")) await registerDocs(app);
if (parts.includes("metrics")) registerMetrics(app, new Metrics());
app.get("/health", async () => ({ status: "ok" }));
await app.listen({ port: 0, host: "127.0.0.1" });
const port = (app.server.address() as { port: number }).port;
await autocannon({ url: `http://127.0.0.1:${port}/health`, connections: 50, duration: 1, workers: 1 });
const r = await autocannon({ url: `http://127.0.0.1:${port}/health`, connections: 50, duration: 3, workers: 1 });
console.log(parts.join(","), Math.round(r.requests.average));
await app.close();
