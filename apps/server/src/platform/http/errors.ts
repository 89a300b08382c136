import type { ErrorCode } from "@softchat/contracts";

const STATUS: Partial<Record<ErrorCode, number>> = {
  validation_failed: 400,
  invalid_amount: 400,
  unknown_asset: 400,
  invalid_signature: 400,
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
  unavailable: 503,
  internal_error: 500,
};

/**
 * An error a client caused or may act on. Thrown anywhere in a service; the HTTP and socket edges turn it
 * into `{ error: { code, message, details } }`. Domain rules default to 422.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    status?: number,
  ) {
    super(message);
    this.status = status ?? STATUS[code] ?? 422;
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const forbidden = (message = "You may not do that") => new AppError("forbidden", message);
export const unauthenticated = (message = "Sign in first") => new AppError("unauthenticated", message);
