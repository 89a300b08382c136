import { createHash } from "node:crypto";

/** bigint is not JSON and not understood by every driver path; both engines get decimal strings. */
export function normalizeParams(params: readonly unknown[] | undefined): unknown[] {
  if (!params) return [];
  return params.map((p) => (typeof p === "bigint" ? p.toString() : p));
}

/** Maps a lock name onto the signed 64-bit key space of pg_advisory_lock. */
export function lockKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}

export function isolationSql(isolation: string | undefined): string | null {
  if (!isolation) return null;
  return `SET TRANSACTION ISOLATION LEVEL ${isolation.toUpperCase()}`;
}
