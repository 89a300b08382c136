import type { FastifyRequest } from "fastify";
import { isTransaction, type Queryable, type Transaction, writeAtCommit } from "../db/index.js";
import { wakeAuditSealers } from "./sealer.js";

/** Who did something and from where: taken from the request at the edge, passed down to services. */
export interface AuditActor {
  actorId: string | null;
  actorRole: string | null;
  ip: string | null;
  requestId: string | null;
}

export interface AuditEntry extends AuditActor {
  /** What happened, e.g. `wallet.transfer`, `admin.user.update`. */
  action: string;
  subjectType: string;
  subjectId: string | null;
  before?: unknown;
  after?: unknown;
}

/** The audit actor of an HTTP request (after `authenticate`, or anonymous). */
export function auditActorOf(request: FastifyRequest): AuditActor {
  return {
    actorId: request.actor?.userId ?? null,
    actorRole: request.actor?.role ?? null,
    ip: request.ip ?? null,
    requestId: String(request.id),
  };
}

/** A system action with no human actor (sweepers, jobs, webhooks). */
export const SYSTEM_ACTOR: AuditActor = { actorId: null, actorRole: "system", ip: null, requestId: null };

/**
 * Appends an audit row in the caller's transaction, so the trail holds exactly the actions that committed.
 * The hash chain is sealed afterwards by the audit sealer, which the commit wakes.
 */
export async function recordAudit(q: Queryable, entry: AuditEntry): Promise<void> {
  // Inside a transaction the row is a deferred write, sent with the others at commit: nothing reads it back
  // before then.
  await writeAtCommit(
    q,
    `INSERT INTO audit_log (actor_id, actor_role, ip, request_id, action, subject_type, subject_id, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)`,
    [
      entry.actorId,
      entry.actorRole,
      entry.ip,
      entry.requestId,
      entry.action,
      entry.subjectType,
      entry.subjectId,
      entry.before === undefined ? null : JSON.stringify(entry.before, bigintReplacer),
      entry.after === undefined ? null : JSON.stringify(entry.after, bigintReplacer),
    ],
  );
  if (isTransaction(q)) q.afterCommit(wakeAuditSealers);
  else wakeAuditSealers();
}

/** `recordAudit` for several entries in one statement (group commit). */
export async function recordAudits(tx: Transaction, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v, bigintReplacer));
  await writeAtCommit(
    tx,
    `INSERT INTO audit_log (actor_id, actor_role, ip, request_id, action, subject_type, subject_id, before, after)
     SELECT a, r, i, q, act, st, sid, b::jsonb, af::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::text[], $9::text[]) WITH ORDINALITY AS v(a, r, i, q, act, st, sid, b, af, n)
      ORDER BY n`,
    [
      entries.map((e) => e.actorId),
      entries.map((e) => e.actorRole),
      entries.map((e) => e.ip),
      entries.map((e) => e.requestId),
      entries.map((e) => e.action),
      entries.map((e) => e.subjectType),
      entries.map((e) => e.subjectId),
      entries.map((e) => json(e.before)),
      entries.map((e) => json(e.after)),
    ],
  );
  tx.afterCommit(wakeAuditSealers);
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
