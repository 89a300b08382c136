import { z } from "zod";

/** Every error code the API answers with. Stable: clients switch on these. */
export const ERROR_CODES = [
  "validation_failed",
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "rate_limited",
  "unavailable",
  "internal_error",
  "insufficient_funds",
  "kyc_limit_exceeded",
  "idempotency_mismatch",
  "account_frozen",
  "self_transfer",
  "unknown_asset",
  "invalid_amount",
  "token_reused",
  "not_a_member",
  "room_private",
  "too_many_connections",
  "order_rejected",
  "invalid_signature",
  "payment_rejected",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Socket.IO acknowledgement: every client event is answered with one of these. */
export type Ack<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; details?: unknown } };
