import { createHash } from "node:crypto";

/** bigint is not JSON and not understood by every driver path; both engines get decimal strings. */
export function normalizeParams(params: readonly unknown[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((p) => (typeof p === "bigint" ? p.toString() : p));
}

/**
 * The parameters as sent to PostgreSQL by pg, with arrays of plain values (strings, numbers, bigints,
 * booleans, nulls) written as array literals here. pg writes them too, escaping every element with two
 * regular-expression passes; profiles of order intake, whose statements carry arrays of ids and of JSON
 * (outbox payloads, audit rows, stored replies), counted that at 5% of the server's time. Text without a
 * quote or backslash (ids, amounts) needs no escaping, and JSON text, which has no control characters, is
 * escaped exactly as JSON.stringify escapes a string. Other arrays (dates, nested, binary) are left to pg.
 */
export function normalizePgParams(params: readonly unknown[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((p) =>
    typeof p === "bigint" ? p.toString() : Array.isArray(p) ? (arrayLiteral(p) ?? p) : p,
  );
}

const NEEDS_ESCAPE = /["\\]/;
// Characters JSON.stringify would write as escapes that an array literal reads differently.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const JSON_UNSAFE = /[\u0000-\u001f\ud800-\udfff]/;

function quoted(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  if (!JSON_UNSAFE.test(s)) return JSON.stringify(s);
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `{"a","b",NULL}`, or undefined when an element is not a plain value. */
function arrayLiteral(values: readonly unknown[]): string | undefined {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ",";
    const v = values[i];
    if (v === null || v === undefined) out += "NULL";
    else if (typeof v === "string") out += quoted(v);
    else if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") out += `"${v}"`;
    else return undefined;
  }
  return `${out}}`;
}

/** Maps a lock name onto the signed 64-bit key space of pg_advisory_lock. */
export function lockKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}

export function isolationSql(isolation: string | undefined): string | null {
  if (!isolation) return null;
  return `SET TRANSACTION ISOLATION LEVEL ${isolation.toUpperCase()}`;
}
