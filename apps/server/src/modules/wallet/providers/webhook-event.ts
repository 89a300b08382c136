import { createHmac, timingSafeEqual } from "node:crypto";

/** A provider's webhook, verified and reduced to what Softchat acts on. */
export interface WebhookEvent {
  /** The provider's event id; a second delivery of the same id is a replay. */
  eventId: string;
  type: string;
  /** The payment the event settles, or null for event types Softchat does not act on. */
  settles: { kind: "deposit"; providerRef: string; outcome: "succeeded" | "failed" } | null;
}

/** HMAC-SHA256 of `payload` under `secret`, hex. */
export function hmacHex(secret: string, payload: string | Buffer): string {
  return createHmac("sha256", secret).update(payload).digest("hex");
}

/** Compares two hex signatures in constant time (for equal lengths; a length mismatch is not secret). */
export function signaturesMatch(expectedHex: string, givenHex: string): boolean {
  if (!/^[0-9a-f]+$/i.test(givenHex)) return false;
  const expected = Buffer.from(expectedHex, "hex");
  const given = Buffer.from(givenHex, "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The JSON object a webhook carries, or null when the body is not one. */
export function parseJsonObject(rawBody: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(rawBody.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** `obj.a.b.c` when every step is an object, else undefined. */
export function pathOf(obj: unknown, ...keys: string[]): unknown {
  let current: unknown = obj;
  for (const key of keys) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
