import type { AdminUserPatch, LoginBody, RegisterBody, Session, TokenPair, User } from "@softchat/contracts";
import { type AuditActor, recordAudit } from "../../platform/audit/index.js";
import type { Actor } from "../../platform/auth/tokens.js";
import { AppError, forbidden, notFound } from "../../platform/http/errors.js";
import { notify } from "../notifications/service.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import { findUserByEmail, findUserById, insertUser, lockUser, takenField, updateUserFlags } from "./repo.js";
import { closeSession, openSession, rotateSession, type SessionContext } from "./sessions.js";
import { presentUser } from "./user-directory.js";

export type AuthContext = SessionContext;

/** Outbox topic of a new account: `{ userId, username, referralCode }` (for referrals and welcome rewards). */
export const USER_REGISTERED_TOPIC = "auth.user_registered";
/** Outbox topic of an admin change to a user: `{ userId, before, after }` with role, kycLevel and frozen. */
export const USER_UPDATED_TOPIC = "auth.user_updated";

const BAD_CREDENTIALS = "Wrong email or password";

/** Creates an account and signs it in. 409 `conflict` (details.field) when the email or username is taken. */
export async function register(ctx: AuthContext, input: RegisterBody): Promise<Session> {
  const email = input.email.toLowerCase();
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction(async (tx) => {
    const row = await insertUser(tx, { email, username: input.username, passwordHash });
    if (!row) {
      const field = (await takenField(tx, email, input.username)) ?? "email";
      throw new AppError("conflict", `That ${field} is already registered`, { field });
    }
    await ctx.outbox.publish(tx, USER_REGISTERED_TOPIC, {
      userId: row.id,
      username: row.username,
      referralCode: input.referralCode ?? null,
    });
    return { user: presentUser(row), ...(await openSession(ctx, tx, row)) };
  });
}

/**
 * Signs in with email and password. Wrong email and wrong password get the same 401 and cost the same time.
 * A frozen account may still sign in: freezing blocks money leaving it, not reading it.
 */
export async function signIn(ctx: AuthContext, input: LoginBody): Promise<Session> {
  const row = await findUserByEmail(ctx.db, input.email);
  const ok = await verifyPassword(input.password, row?.password_hash ?? null);
  if (!row || !ok) throw new AppError("unauthenticated", BAD_CREDENTIALS);
  const tokens = await ctx.db.transaction((tx) => openSession(ctx, tx, row));
  return { user: presentUser(row), ...tokens };
}

/** Rotates a refresh token; see `rotateSession` for reuse detection. */
export function refresh(ctx: AuthContext, refreshToken: string): Promise<TokenPair> {
  return rotateSession(ctx, refreshToken);
}

/** Signs out the session of a refresh token. */
export function signOut(ctx: AuthContext, refreshToken: string): Promise<void> {
  return closeSession(ctx, refreshToken);
}

/** The signed-in user as stored now (role, KYC level and frozen may have changed since the token was signed). */
export async function currentUser(ctx: AuthContext, actor: Actor): Promise<User> {
  const row = await findUserById(ctx.db, actor.userId);
  if (!row) throw new AppError("unauthenticated", "This account no longer exists");
  return presentUser(row);
}

/**
 * Changes a user's role, KYC level or frozen flag as an admin (or as the system, e.g. an AML rule). Audited;
 * the user gets a `security` notification when frozen or unfrozen, sent only once the change commits.
 * 403 for any other actor, 404 for an unknown user.
 */
export async function updateUserByAdmin(
  ctx: AuthContext,
  actor: AuditActor,
  userId: string,
  patch: AdminUserPatch,
): Promise<User> {
  if (actor.actorRole !== "admin" && actor.actorRole !== "system") throw forbidden("Admins only");
  return ctx.db.transaction(async (tx) => {
    const current = await lockUser(tx, userId);
    if (!current) throw notFound("User");
    const before = presentUser(current);
    const next = {
      role: patch.role ?? before.role,
      kycLevel: patch.kycLevel ?? before.kycLevel,
      frozen: patch.frozen ?? before.frozen,
    };
    if (next.role === before.role && next.kycLevel === before.kycLevel && next.frozen === before.frozen) {
      return before;
    }
    const after = presentUser(await updateUserFlags(tx, userId, next));
    const flags = (u: User) => ({ role: u.role, kycLevel: u.kycLevel, frozen: u.frozen });
    await recordAudit(tx, {
      ...actor,
      action: "admin.user.update",
      subjectType: "user",
      subjectId: userId,
      before: flags(before),
      after: flags(after),
    });
    await ctx.outbox.publish(tx, USER_UPDATED_TOPIC, { userId, before: flags(before), after: flags(after) });
    if (after.frozen !== before.frozen) {
      await notify(ctx, tx, {
        userId,
        type: "security",
        priority: after.frozen ? "critical" : "high",
        title: after.frozen ? "Your account is frozen" : "Your account is unfrozen",
        body: after.frozen
          ? "Transfers and withdrawals are blocked until support reviews your account. You can still sign in."
          : "Transfers and withdrawals are available again.",
        data: { frozen: after.frozen },
      });
    }
    return after;
  });
}
