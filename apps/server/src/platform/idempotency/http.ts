import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.js";
import { AppError } from "../http/errors.js";
import {
  beginIdempotent,
  claimOf,
  type IdempotencyClaim,
  type IdempotencyRequest,
  releaseIdempotent,
  type StoredResponse,
} from "./store.js";

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key` header, or undefined; a malformed key is 400 `validation_failed`. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers["idempotency-key"];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || !KEY_RE.test(key)) {
    throw new AppError("validation_failed", "Idempotency-Key must be 1 to 255 visible ASCII characters", {
      fields: [{ path: "headers.idempotency-key", message: "1 to 255 visible ASCII characters" }],
    });
  }
  return key;
}

/** A claim for requests sent without a key: completing it records nothing. */
const NO_KEY: IdempotencyClaim = { completed: false, complete: async () => {}, release: async () => {} };

/** Errors that are the final answer to a request (and so are replayed); others leave the key retryable. */
export function isFinalError(err: unknown): err is AppError {
  return (
    err instanceof AppError &&
    err.status >= 400 &&
    err.status < 500 &&
    err.status !== 409 &&
    err.status !== 429
  );
}

/** The response an AppError is rendered as, for storing it as a request's first response. */
export function errorResponse(err: AppError): StoredResponse {
  return {
    status: err.status,
    body: {
      error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
    },
  };
}

/**
 * Runs a money request at most once per (user, Idempotency-Key). `run` gets a claim and must write its
 * response with `claim.complete(tx, response)` inside the transaction that makes the change; a replay gets
 * that first response (status and body, with `Idempotent-Replayed: true`) and changes nothing. A domain
 * error (4xx) is stored as the first response too; anything else frees the key for a retry.
 */
export async function runIdempotent(
  ctx: Pick<AppContext, "db">,
  key: string | undefined,
  req: Omit<IdempotencyRequest, "key">,
  run: (claim: IdempotencyClaim) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (key === undefined) return { ...(await run(NO_KEY)), replayed: false };
  const full: IdempotencyRequest = { ...req, key };
  const begun = await beginIdempotent(ctx.db, full);
  if (begun.kind === "replay") return { ...begun.response, replayed: true };
  const claim = claimOf(full, begun.owner);
  try {
    const response = await run(claim);
    if (!claim.completed) await claim.complete(ctx.db, response);
    return { ...response, replayed: false };
  } catch (err) {
    if (isFinalError(err) && !claim.completed) {
      const stored = errorResponse(err);
      await claim.complete(ctx.db, stored);
      return { ...stored, replayed: false };
    }
    if (!claim.completed) await releaseIdempotent(ctx.db, full, begun.owner).catch(() => {});
    throw err;
  }
}

/** Sends an idempotent result: its status and body, marking replays. */
export function sendIdempotent(reply: FastifyReply, result: StoredResponse & { replayed: boolean }) {
  if (result.replayed) reply.header("idempotent-replayed", "true");
  return reply.status(result.status).send(result.body);
}
