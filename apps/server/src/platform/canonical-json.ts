/**
 * JSON with object keys sorted at every depth, so equal content always serializes to the same text: what the
 * audit chain hashes and what idempotency keys compare requests by. Otherwise as JSON.stringify: `toJSON`
 * is honoured (dates become ISO text), undefined members are left out, undefined array items and non-finite
 * numbers become null, and a bigint throws. Written out by hand because both callers run once per order
 * under load, and sorting through `Object.entries` or a replacer took 40-60% longer.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? "null";
}

function write(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      throw new TypeError("canonicalJson: a bigint has no JSON form; pass it as a decimal string");
    case "object":
      return writeObject(value as Record<string, unknown>);
    default:
      return undefined;
  }
}

function writeObject(value: Record<string, unknown>): string | undefined {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return write(toJSON.call(value));
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += write(value[i]) ?? "null";
    }
    return `${out}]`;
  }
  // The default sort compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(value).sort();
  let out = "{";
  for (const key of keys) {
    const member = write(value[key]);
    if (member === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(key)}:${member}`;
  }
  return `${out}}`;
}
