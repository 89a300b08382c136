import type { AppContext } from "../context.js";
import type { App } from "./app-type.js";

/** `/health`: the process answers. `/ready`: the database (and Redis when configured) answer too. */
export function registerHealth(app: App, ctx: AppContext): void {
  app.get("/health", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/ready", { schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, "ok" | "down"> = {};
    try {
      await ctx.db.query("SELECT 1");
      checks.database = "ok";
    } catch {
      checks.database = "down";
    }
    if (ctx.redis) {
      try {
        await ctx.redis.ping();
        checks.redis = "ok";
      } catch {
        checks.redis = "down";
      }
    }
    const ready = Object.values(checks).every((v) => v === "ok");
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", checks });
  });
}
