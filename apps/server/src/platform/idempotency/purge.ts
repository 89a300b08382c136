import type { AppContext } from "../context.js";
import { startPeriodic } from "../periodic.js";
import { purgeIdempotencyKeys } from "./store.js";

/**
 * Deletes Idempotency-Key records older than `ttlHours` (at least 24) every `intervalMs`, on one node at a
 * time; stops on shutdown. Call once at start (the wallet module does).
 */
export function startIdempotencyPurge(
  ctx: Pick<AppContext, "db" | "logger" | "onShutdown">,
  ttlHours: number,
  intervalMs = 3_600_000,
): void {
  const purge = startPeriodic({
    name: "idempotency purge",
    intervalMs,
    logger: ctx.logger,
    run: async () => {
      const n = await ctx.db.withLock("idempotency:purge", (session) =>
        purgeIdempotencyKeys(session, Math.max(24, ttlHours)),
      );
      if (n > 0) ctx.logger.info({ purged: n }, "idempotency keys purged");
    },
  });
  ctx.onShutdown(() => purge.stop());
}
