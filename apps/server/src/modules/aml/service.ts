import type { AmlFlag, AmlFlagsQuery, AmlResolveBody, Page, User } from "@softchat/contracts";
import { type AuditActor, recordAudit } from "../../platform/audit/index.js";
import { assertAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import type { AppContext } from "../../platform/context.js";
import { AppError, notFound } from "../../platform/http/errors.js";
import { updateUserByAdmin } from "../auth/index.js";
import type { MoneyFact } from "./events.js";
import {
  closeFlag,
  type FlagRow,
  getFlag,
  getFlagForUpdate,
  insertFact,
  insertFlag,
  listFlags,
  lockUser,
  presentFlag,
} from "./repo.js";
import { evaluateRules } from "./rules.js";

/**
 * Keeps a wallet movement and raises the flags it trips. Safe to run again for the same movement (outbox
 * delivery is at least once): the fact and each flag are stored once. One user's movements are evaluated
 * one at a time, so concurrent deliveries cannot both raise a windowed rule.
 */
export async function recordMoneyFact(
  ctx: Pick<AppContext, "db" | "logger">,
  fact: MoneyFact,
): Promise<AmlFlag[]> {
  const raised = await ctx.db.transaction(async (tx) => {
    await lockUser(tx, fact.userId);
    await insertFact(tx, fact);
    const flags: AmlFlag[] = [];
    for (const candidate of await evaluateRules(tx, fact)) {
      const created = await insertFlag(tx, candidate);
      if (created) flags.push(created);
    }
    return flags;
  });
  for (const f of raised) {
    ctx.logger.warn(
      { flagId: f.id, userId: f.userId, rule: f.rule, transactionId: f.transactionId },
      "AML flag raised",
    );
  }
  return raised;
}

function encodeCursor(row: FlagRow): string {
  return Buffer.from(JSON.stringify([row.cursor_at, row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof at === "string" && typeof id === "string" && !Number.isNaN(Date.parse(at))) return { at, id };
  } catch {
    // Falls through to the validation error.
  }
  throw new AppError("validation_failed", "The cursor is not valid", {
    fields: [{ path: "querystring.cursor", message: "use nextCursor from the previous page" }],
  });
}

/**
 * The review queue, newest first, for admins only. Reading it is audited too: who looked at which
 * suspicions is part of the compliance trail.
 */
export async function listAmlFlags(
  ctx: Pick<AppContext, "db">,
  actor: Actor,
  audit: AuditActor,
  query: AmlFlagsQuery & { userId?: string },
): Promise<Page<AmlFlag>> {
  assertAdmin(actor);
  const filters = { status: query.status ?? null, userId: query.userId ?? null };
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  return ctx.db.transaction(async (tx) => {
    const rows = await listFlags(tx, { ...filters, after, limit: query.limit });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    await recordAudit(tx, {
      ...audit,
      action: "admin.aml.list",
      subjectType: "aml_flag",
      subjectId: null,
      after: { ...filters, cursor: query.cursor ?? null, returned: page.length },
    });
    return {
      items: page.map(presentFlag),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  });
}

/** Closes an open flag as resolved or dismissed, with the admin's note; audited. 409 when already closed. */
export async function resolveAmlFlag(
  ctx: Pick<AppContext, "db">,
  actor: Actor,
  audit: AuditActor,
  flagId: string,
  body: AmlResolveBody,
): Promise<AmlFlag> {
  assertAdmin(actor);
  return ctx.db.transaction(async (tx) => {
    const before = await getFlagForUpdate(tx, flagId);
    if (!before) throw notFound("AML flag");
    const after = await closeFlag(tx, flagId, {
      status: body.status,
      note: body.note ?? null,
      resolvedBy: actor.userId,
    });
    if (!after)
      throw new AppError("conflict", `This flag is already ${before.status}`, { status: before.status });
    await recordAudit(tx, {
      ...audit,
      action: "admin.aml.resolve",
      subjectType: "aml_flag",
      subjectId: flagId,
      before: { status: before.status },
      after: { status: after.status, note: after.note },
    });
    return presentFlag(after);
  });
}

/**
 * Freezes the flagged user through the auth module (which audits the user change and tells the user),
 * and records on the flag's audit trail that this flag was the reason. The flag stays open for review.
 */
export async function freezeFlaggedUser(
  ctx: AppContext,
  actor: Actor,
  audit: AuditActor,
  flagId: string,
): Promise<{ flag: AmlFlag; user: User }> {
  assertAdmin(actor);
  const row = await getFlag(ctx.db, flagId);
  if (!row) throw notFound("AML flag");
  const user = await updateUserByAdmin(ctx, audit, row.user_id, { frozen: true });
  await ctx.db.transaction((tx) =>
    recordAudit(tx, {
      ...audit,
      action: "admin.aml.freeze",
      subjectType: "aml_flag",
      subjectId: flagId,
      before: { rule: row.rule, userId: row.user_id },
      after: { frozen: user.frozen },
    }),
  );
  return { flag: presentFlag(row), user };
}
