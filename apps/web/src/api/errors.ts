import { SoftchatError } from "@softchat/sdk";

/** Field messages from a `validation_failed` reply, keyed by the field name ("body.email" -> "email"). */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof SoftchatError) || err.code !== "validation_failed") return {};
  const fields = err.details?.fields;
  if (!Array.isArray(fields)) return {};
  const out: Record<string, string> = {};
  for (const field of fields) {
    if (typeof field !== "object" || field === null) continue;
    const { path, message } = field as { path?: unknown; message?: unknown };
    if (typeof path !== "string" || typeof message !== "string") continue;
    const name = path.split(".").filter((p) => p !== "body" && p !== "querystring" && p !== "params")[0];
    if (name && !out[name]) out[name] = message;
  }
  return out;
}

const FRIENDLY: Record<string, string> = {
  network_error: "Softchat cannot be reached. Check your connection and try again.",
  timeout: "The server took too long to answer. Try again.",
  rate_limited: "Too many attempts. Wait a moment and try again.",
  account_frozen: "Your account is frozen, so money cannot move. Contact support to have it reviewed.",
  insufficient_funds: "There is not enough money available for that.",
  kyc_limit_exceeded: "That is over the limit of your verification level.",
  unauthenticated: "Your session has ended. Sign in again.",
  forbidden: "You are not allowed to do that.",
  self_transfer: "You cannot send money to yourself.",
};

/** A sentence to show a person: the app's wording for codes it knows, else the server's own message. */
export function describeError(err: unknown): string {
  if (err instanceof SoftchatError) return FRIENDLY[err.code] ?? err.message;
  if (err instanceof Error && err.message) return err.message;
  return "Something went wrong. Try again.";
}

/** The error's stable code, if it has one. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof SoftchatError ? err.code : undefined;
}

/** True for a refusal by the server (4xx): asking again unchanged will not help. */
export function isClientError(err: unknown): boolean {
  return err instanceof SoftchatError && err.status >= 400 && err.status < 500;
}
