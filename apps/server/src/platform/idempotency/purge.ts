import type { AppContext } from "../context.js";
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
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = ctx.db
      .withLock("idempotency:purge", (session) => purgeIdempotencyKeys(session, Math.max(24, ttlHours)))
      .then(
        (n) => {
          if (n > 0) ctx.logger.info({ purged: n }, "idempotency keys purged");
        },
        (err) => ctx.logger.error({ err }, "idempotency purge failed"),
      );
  };
  const timer = setInterval(() => {
    if (!stopped) tick();
  }, intervalMs);
  timer.unref();
  ctx.onShutdown(async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  });
}
