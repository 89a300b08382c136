import type { AppContext } from "../context.js";
import { startLockedCleanup } from "../periodic.js";
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
  startLockedCleanup(ctx, {
    name: "idempotency purge",
    lockKey: "idempotency:purge",
    intervalMs,
    run: (session) => purgeIdempotencyKeys(session, Math.max(24, ttlHours)),
  });
}
