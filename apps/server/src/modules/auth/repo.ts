import type { Role } from "@softchat/contracts";
import type { Queryable } from "../../platform/db/index.js";
import type { UserRow } from "./user-directory.js";

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  role?: Role;
  isDemo?: boolean;
  /** Defaults to 1, the level of a new sign-up. */
  kycLevel?: 1 | 2 | 3;
}

/** Inserts a user; null when the email or username is taken (both unique, case-insensitive). */
export async function insertUser(q: Queryable, user: NewUser): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>(
    `INSERT INTO users (email, username, password_hash, role, is_demo, kyc_level)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *`,
    [
      user.email,
      user.username,
      user.passwordHash,
      user.role ?? "user",
      user.isDemo ?? false,
      user.kycLevel ?? 1,
    ],
  );
  return rows[0] ?? null;
}

/** Which of email and username is already taken, if either. */
export async function takenField(
  q: Queryable,
  email: string,
  username: string,
): Promise<"email" | "username" | null> {
  const { rows } = await q.query<{ email_taken: boolean; username_taken: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1)) AS email_taken,
            EXISTS (SELECT 1 FROM users WHERE lower(username) = lower($2)) AS username_taken`,
    [email, username],
  );
  if (rows[0]?.email_taken) return "email";
  if (rows[0]?.username_taken) return "username";
  return null;
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>("SELECT * FROM users WHERE lower(email) = lower($1)", [email]);
  return rows[0] ?? null;
}

export async function findUserById(q: Queryable, id: string): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>("SELECT * FROM users WHERE id = $1", [id]);
  return rows[0] ?? null;
}

/** The user row, locked until the transaction ends. */
export async function lockUser(q: Queryable, id: string): Promise<UserRow | null> {
  const { rows } = await q.query<UserRow>("SELECT * FROM users WHERE id = $1 FOR UPDATE", [id]);
  return rows[0] ?? null;
}

export interface UserFlags {
  role: Role;
  kycLevel: number;
  frozen: boolean;
}

export async function updateUserFlags(q: Queryable, id: string, flags: UserFlags): Promise<UserRow> {
  const { rows } = await q.query<UserRow>(
    `UPDATE users SET role = $2, kyc_level = $3, frozen = $4, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, flags.role, flags.kycLevel, flags.frozen],
  );
  const row = rows[0];
  if (!row) throw new Error(`user ${id} vanished while locked`);
  return row;
}

export async function hasAnyUser(q: Queryable): Promise<boolean> {
  const { rows } = await q.query<{ any: boolean }>("SELECT EXISTS (SELECT 1 FROM users) AS any");
  return rows[0]?.any === true;
}

export async function usernameTaken(q: Queryable, username: string): Promise<boolean> {
  const { rows } = await q.query("SELECT 1 FROM users WHERE lower(username) = lower($1)", [username]);
  return rows.length > 0;
}

/** The seeded demo accounts still present, oldest first. */
export async function listDemoUsers(q: Queryable): Promise<Array<{ email: string; username: string }>> {
  const { rows } = await q.query<{ email: string; username: string }>(
    // Admins last: the sign-in screen offers the everyday accounts first.
    "SELECT email, username FROM users WHERE is_demo ORDER BY role = 'admin', created_at, username",
  );
  return rows;
}

/** Serializes start-up seeding across nodes for the rest of the transaction. */
export async function lockSeeding(q: Queryable): Promise<void> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext('softchat:auth:seed'))");
}
