import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { TokenPair } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import { AppError } from "../../platform/http/errors.js";
import { notify } from "../notifications/service.js";
import {
  deleteExpiredTokens,
  familyOf,
  insertRefreshToken,
  lockRefreshToken,
  markRefreshTokenUsed,
  revokeFamily,
} from "./refresh-repo.js";
import { findUserById } from "./repo.js";
import type { UserRow } from "./user-directory.js";

export type SessionContext = Pick<AppContext, "db" | "tokens" | "config" | "outbox">;

/** Refresh tokens are opaque random strings; only their sha256 is stored. */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

async function issueRefreshToken(
  ctx: SessionContext,
  tx: Transaction,
  userId: string,
  familyId: string,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await insertRefreshToken(tx, {
    userId,
    familyId,
    tokenHash: hashToken(token),
    ttlSec: ctx.config.REFRESH_TOKEN_TTL_SEC,
  });
  return token;
}

/** Starts a new signed-in session (a new refresh token family) for `user` inside `tx`. */
export async function openSession(ctx: SessionContext, tx: Transaction, user: UserRow): Promise<TokenPair> {
  await deleteExpiredTokens(tx, user.id);
  const refreshToken = await issueRefreshToken(ctx, tx, user.id, randomUUID());
  const accessToken = await ctx.tokens.signAccess({ userId: user.id, role: user.role });
  return { accessToken, refreshToken };
}

type Rotation =
  | { kind: "rotated"; user: UserRow; refreshToken: string }
  | { kind: "invalid" }
  | { kind: "reused" };

/**
 * Exchanges a refresh token for a new pair. The old token is spent; presenting a spent token again means it
 * leaked, so its whole family is revoked (the thief and the owner both have to sign in again) and the user is
 * told. The access token carries the user's current role, not the one at sign-in.
 */
export async function rotateSession(ctx: SessionContext, refreshToken: string): Promise<TokenPair> {
  const outcome = await ctx.db.transaction(async (tx): Promise<Rotation> => {
    const row = await lockRefreshToken(tx, hashToken(refreshToken));
    if (!row || row.revoked || row.expired) return { kind: "invalid" };
    if (row.used) {
      await revokeFamily(tx, row.family_id);
      await notify(ctx, tx, {
        userId: row.user_id,
        type: "security",
        title: "Session ended for your safety",
        body: "A sign-in token was used twice, so that session was signed out. Sign in again.",
        priority: "high",
      });
      return { kind: "reused" };
    }
    const user = await findUserById(tx, row.user_id);
    if (!user) return { kind: "invalid" };
    await markRefreshTokenUsed(tx, row.id);
    return { kind: "rotated", user, refreshToken: await issueRefreshToken(ctx, tx, user.id, row.family_id) };
  });
  // Thrown only after the commit, so the family revocation above is kept.
  if (outcome.kind === "reused") {
    throw new AppError(
      "token_reused",
      "This refresh token was already used; the session has been signed out",
    );
  }
  if (outcome.kind === "invalid") throw new AppError("unauthenticated", "Invalid or expired refresh token");
  const accessToken = await ctx.tokens.signAccess({ userId: outcome.user.id, role: outcome.user.role });
  return { accessToken, refreshToken: outcome.refreshToken };
}

/** Signs out the session a refresh token belongs to. Unknown tokens are ignored: the result is the same. */
export async function closeSession(ctx: SessionContext, refreshToken: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const familyId = await familyOf(tx, hashToken(refreshToken));
    if (familyId) await revokeFamily(tx, familyId);
  });
}
