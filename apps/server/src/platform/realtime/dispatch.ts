import type { Ack } from "@softchat/contracts";
import type { Logger } from "pino";
import type { z } from "zod";
import { AppError } from "../http/errors.js";
import type { SocketEventOutcome } from "../metrics.js";
import type { Limiter } from "../ratelimit/index.js";
import type { SoftchatSocket } from "./types.js";

/** A registered client event: the schema its payload must match and the function that answers it. */
export interface EventHandler {
  schema: z.ZodType;
  fn: (socket: SoftchatSocket, payload: unknown) => Promise<unknown> | unknown;
}

export interface DispatchDeps {
  handlers: ReadonlyMap<string, EventHandler>;
  /** Per-socket allowance of client events. */
  limiter: Limiter;
  logger: Logger;
  observe(event: string, durationMs: number, outcome: SocketEventOutcome): void;
}

type AckFn = (res: Ack<unknown>) => void;

/**
 * Answers one client event: rate limit, validate, run the handler, acknowledge. Never throws and never
 * disconnects: a bad payload or a failing handler becomes an `{ ok: false }` acknowledgement.
 */
export async function dispatchEvent(
  deps: DispatchDeps,
  socket: SoftchatSocket,
  event: string,
  args: unknown[],
): Promise<void> {
  const started = performance.now();
  const last = args.at(-1);
  const ack: AckFn = typeof last === "function" ? (last as AckFn) : () => {};
  const handler = deps.handlers.get(event);
  // Only registered names become metric labels, so a client cannot grow the series count.
  const label = handler ? event : "unknown";
  let outcome: SocketEventOutcome = "ok";
  try {
    const allowance = await deps.limiter.consume(socket.id);
    if (!allowance.allowed) {
      outcome = "rate_limited";
      const retryAfterMs = allowance.retryAfterMs;
      socket.emit("rate_limited", { event: label, retryAfterMs });
      ack(fail("rate_limited", "Too many events; slow down", { retryAfterMs }));
      return;
    }
    if (!handler) {
      outcome = "invalid";
      ack(fail("not_found", `Unknown event ${JSON.stringify(event.slice(0, 64))}`));
      return;
    }
    const parsed = handler.schema.safeParse(typeof args[0] === "function" ? undefined : args[0]);
    if (!parsed.success) {
      outcome = "invalid";
      const fields = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      ack(fail("validation_failed", "The event payload is not valid", { fields }));
      return;
    }
    const data = await handler.fn(socket, parsed.data);
    ack({ ok: true, data });
  } catch (err) {
    if (err instanceof AppError) {
      outcome = err.status >= 500 ? "error" : "invalid";
      ack(fail(err.code, err.message, err.details));
    } else {
      outcome = "error";
      deps.logger.error({ err, event: label, userId: socket.data.userId }, "socket handler failed");
      ack(fail("internal_error", "Something went wrong on our side"));
    }
  } finally {
    deps.observe(label, performance.now() - started, outcome);
  }
}

function fail(code: string, message: string, details?: Record<string, unknown>): Ack<never> {
  return { ok: false, error: details ? { code, message, details } : { code, message } };
}
