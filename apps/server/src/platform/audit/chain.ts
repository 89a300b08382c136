import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";

/** The prev_hash of the first row of the chain. */
export const GENESIS_HASH = "0".repeat(64);

/** An audit row as the chain hashes it; `at` is read as text with microseconds so both engines agree. */
export interface ChainRow extends Record<string, unknown> {
  id: string;
  at_text: string;
  actor_id: string | null;
  actor_role: string | null;
  ip: string | null;
  request_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  before: unknown;
  after: unknown;
}

/** The columns of `ChainRow`, for SELECTs on audit_log. */
export const CHAIN_COLUMNS = `id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text,
  actor_id, actor_role, ip, request_id, action, subject_type, subject_id, before, after`;

/**
 * The hash of a row at position `seq` after `prevHash`: sha256 over prevHash and the canonical JSON of the
 * row's content and position, so editing, removing or reordering any sealed row breaks every later link.
 */
export function chainHash(prevHash: string, seq: bigint, row: ChainRow): string {
  const content = canonicalJson({
    seq: seq.toString(),
    id: String(row.id),
    at: row.at_text,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    ip: row.ip,
    requestId: row.request_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    before: row.before,
    after: row.after,
  });
  return createHash("sha256").update(prevHash).update(content).digest("hex");
}
