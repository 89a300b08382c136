import type { AppContext } from "../context.js";
import type { App } from "./app-type.js";

/** A check slower than this counts as down: a load balancer polling /ready must get an answer. */
const CHECK_TIMEOUT_MS = 2000;

/** Resolves "ok" when `check` settles in time, "down" when it fails or hangs (an unreachable host). */
async function probe(check: () => Promise<unknown>): Promise<"ok" | "down"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"down">((resolve) => {
    timer = setTimeout(() => resolve("down"), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => "ok" as const), timeout]);
  } catch {
    return "down";
  } finally {
    clearTimeout(timer);
  }
}

/** `/health`: the process answers. `/ready`: the database (and Redis when configured) answer too. */
export function registerHealth(app: App, ctx: AppContext): void {
  app.get("/health", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/ready", { schema: { hide: true } }, async (_request, reply) => {
    const { redis } = ctx;
    const checks: Record<string, "ok" | "down"> = {
      database: await probe(() => ctx.db.query("SELECT 1")),
      ...(redis ? { redis: await probe(() => redis.ping()) } : {}),
    };
    const ready = Object.values(checks).every((v) => v === "ok");
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", checks });
  });
}
