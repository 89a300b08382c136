import { AppError } from "../../../platform/http/errors.js";

export interface ProviderCall {
  /** Shown in errors and logs: "Stripe", "Coinbase Commerce". */
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs to a provider's API and returns its JSON. A provider that cannot be reached, times out or fails on
 * its side answers 503 `unavailable`; one that refuses the request answers 422 `payment_rejected`.
 */
export async function postToProvider(call: ProviderCall): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(call.url, {
      method: "POST",
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch {
    throw new AppError("unavailable", `${call.provider} cannot be reached, try again later`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (res.status >= 500 || typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new AppError("unavailable", `${call.provider} failed to answer, try again later`);
  }
  const body = json as Record<string, unknown>;
  if (res.status >= 400) {
    throw new AppError("payment_rejected", `${call.provider} refused the payment`, {
      provider: call.provider,
      reason: providerMessage(body),
    });
  }
  return body;
}

function providerMessage(body: Record<string, unknown>): string {
  const error = body.error;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message).slice(0, 200);
  }
  return "no reason given";
}

/** A string field of a provider's reply, or 503 when the reply lacks it. */
export function requireString(body: Record<string, unknown>, field: string, provider: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") {
    throw new AppError("unavailable", `${provider} answered without ${field}`);
  }
  return value;
}
