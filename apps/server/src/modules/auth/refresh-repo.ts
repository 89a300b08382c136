import type { Queryable } from "../../platform/db/index.js";

export interface RefreshTokenRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  family_id: string;
  used: boolean;
  revoked: boolean;
  expired: boolean;
}

/** Stores a refresh token's hash, valid for `ttlSec` from now. */
export async function insertRefreshToken(
  q: Queryable,
  token: { userId: string; familyId: string; tokenHash: string; ttlSec: number },
): Promise<void> {
  await q.query(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + ($4::int * interval '1 second'))`,
    [token.userId, token.familyId, token.tokenHash, token.ttlSec],
  );
}

/** The token with this hash, locked so two refreshes of one token cannot both rotate it. */
export async function lockRefreshToken(q: Queryable, tokenHash: string): Promise<RefreshTokenRow | null> {
  const { rows } = await q.query<RefreshTokenRow>(
    `SELECT id, user_id, family_id, used_at IS NOT NULL AS used, revoked_at IS NOT NULL AS revoked,
            expires_at <= now() AS expired
       FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

export async function markRefreshTokenUsed(q: Queryable, id: string): Promise<void> {
  await q.query("UPDATE refresh_tokens SET used_at = now() WHERE id = $1", [id]);
}

/** Revokes every token of a family (one signed-in session and all its rotations). */
export async function revokeFamily(q: Queryable, familyId: string): Promise<void> {
  await q.query("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL", [
    familyId,
  ]);
}

/** The family a token belongs to, whatever its state. */
export async function familyOf(q: Queryable, tokenHash: string): Promise<string | null> {
  const { rows } = await q.query<{ family_id: string }>(
    "SELECT family_id FROM refresh_tokens WHERE token_hash = $1",
    [tokenHash],
  );
  return rows[0]?.family_id ?? null;
}

/** Deletes a user's expired tokens: past expiry they can neither be used nor be worth detecting as reused. */
export async function deleteExpiredTokens(q: Queryable, userId: string): Promise<void> {
  await q.query("DELETE FROM refresh_tokens WHERE user_id = $1 AND expires_at < now()", [userId]);
}
