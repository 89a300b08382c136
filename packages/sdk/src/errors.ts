import type { ErrorCode } from "@softchat/contracts";

/** Codes the SDK itself produces, for failures that never reached the server or never came back. */
export type SdkErrorCode = "network_error" | "timeout" | "offline_queue_full" | "disconnected";

/** An error code from the server's stable list, one of the SDK's own, or one added to the server later. */
export type SoftchatErrorCode = ErrorCode | SdkErrorCode | (string & {});

/**
 * Every failure the SDK reports: a server error reply (`status` is its HTTP status, or 0 for socket acks and
 * failures that never reached the server) with the server's stable `code`, `message` and `details`.
 */
export class SoftchatError extends Error {
  override readonly name = "SoftchatError";
  constructor(
    readonly status: number,
    readonly code: SoftchatErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** How long the server asked to wait before retrying (429 `Retry-After`, socket `retryAfterMs`). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  token_reused: 401,
  forbidden: 403,
  not_a_member: 403,
  room_private: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  too_many_connections: 429,
  internal_error: 500,
  unavailable: 503,
};

/**
 * The HTTP status the server would have answered a code with: socket acknowledgements carry only the code,
 * and this keeps `status` meaningful for errors from both transports (domain rules are 422).
 */
export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 422;
}

/** True when `err` is a SoftchatError, optionally with one of the given codes. */
export function isSoftchatError(err: unknown, ...codes: SoftchatErrorCode[]): err is SoftchatError {
  return err instanceof SoftchatError && (codes.length === 0 || codes.includes(err.code));
}

/** True for failures worth retrying later with the same request: the network, a timeout, a busy server. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof SoftchatError)) return false;
  return (
    err.code === "network_error" ||
    err.code === "timeout" ||
    err.code === "disconnected" ||
    err.code === "rate_limited" ||
    err.code === "unavailable" ||
    err.status >= 500
  );
}

/** True when the server refused the credentials themselves (not a permission problem). */
export function isAuthFailure(err: unknown): boolean {
  return err instanceof SoftchatError && (err.code === "unauthenticated" || err.code === "token_reused");
}
