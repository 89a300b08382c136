/**
 * A random UUID v4 for idempotency keys and message clientIds. `crypto.randomUUID` exists only in secure
 * contexts in browsers (https, localhost), so plain-http pages fall back to `getRandomValues`.
 */
export function newId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The `Idempotency-Key` header of a money-moving POST: the caller's key, or a new one. */
export function idempotencyHeaders(options: { idempotencyKey?: string }): Record<string, string> {
  return { "idempotency-key": options.idempotencyKey ?? newId() };
}
