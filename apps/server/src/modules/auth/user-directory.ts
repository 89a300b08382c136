import type { User } from "@softchat/contracts";
import type { Queryable } from "../../platform/db/index.js";

/** A users row as stored. Only the auth module writes this table; others read it through these functions. */
export interface UserRow extends Record<string, unknown> {
  id: string;
  email: string;
  username: string;
  password_hash: string;
  role: User["role"];
  kyc_level: number;
  frozen: boolean;
  created_at: Date;
}

export function presentUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    role: row.role,
    kycLevel: Number(row.kyc_level) as User["kycLevel"],
    frozen: row.frozen,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** What other modules need to decide on a user's actions: role, KYC level, frozen. */
export interface UserState {
  id: string;
  username: string;
  role: User["role"];
  kycLevel: 1 | 2 | 3;
  frozen: boolean;
}

const STATE_COLUMNS = "id, username, role, kyc_level, frozen";

function toState(row: UserRow): UserState {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    kycLevel: Number(row.kyc_level) as 1 | 2 | 3,
    frozen: row.frozen,
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user's current state, or null when no such user exists. Pass a `tx` to read inside a transaction. */
export async function getUserState(q: Queryable, userId: string): Promise<UserState | null> {
  if (!UUID_RE.test(userId)) return null;
  const { rows } = await q.query<UserRow>(`SELECT ${STATE_COLUMNS} FROM users WHERE id = $1`, [userId]);
  return rows[0] ? toState(rows[0]) : null;
}

/** The current state of several users, by id; ids of no user are left out. */
export async function getUserStates(
  q: Queryable,
  userIds: readonly string[],
): Promise<Map<string, UserState>> {
  const ids = [...new Set(userIds)].filter((id) => UUID_RE.test(id));
  const out = new Map<string, UserState>();
  if (ids.length === 0) return out;
  const { rows } = await q.query<UserRow>(`SELECT ${STATE_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [
    ids,
  ]);
  for (const row of rows) out.set(row.id, toState(row));
  return out;
}

/** Finds a user by id or by username (case-insensitive), as transfers address recipients either way. */
export async function findUserByIdOrUsername(q: Queryable, ref: string): Promise<UserState | null> {
  const { rows } = UUID_RE.test(ref)
    ? await q.query<UserRow>(`SELECT ${STATE_COLUMNS} FROM users WHERE id = $1`, [ref])
    : await q.query<UserRow>(`SELECT ${STATE_COLUMNS} FROM users WHERE lower(username) = lower($1)`, [ref]);
  return rows[0] ? toState(rows[0]) : null;
}

/** Every user id, in pages; for broadcasts. */
export async function listUserIds(q: Queryable, afterId: string | null, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    "SELECT id FROM users WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2",
    [afterId, limit],
  );
  return rows.map((r) => r.id);
}
