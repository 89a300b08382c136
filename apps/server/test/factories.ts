import { randomBytes } from "node:crypto";
import type { Role, User } from "@softchat/contracts";
import type { AppContext } from "../src/platform/context.js";
import type { TestServer } from "./harness.js";

export interface TestUser {
  id: string;
  email: string;
  username: string;
  role: Role;
  token: string;
}

/**
 * Inserts a user straight into the database and signs an access token for it: for tests of other modules
 * that need a signed-in user without going through registration. The password hash is unusable on purpose.
 */
export async function createUser(
  ctx: Pick<AppContext, "db" | "tokens">,
  attrs: { role?: Role; kycLevel?: 1 | 2 | 3; frozen?: boolean; username?: string } = {},
): Promise<TestUser> {
  const suffix = randomBytes(5).toString("hex");
  const username = attrs.username ?? `user_${suffix}`;
  const email = `${username}@example.test`;
  const role = attrs.role ?? "user";
  const { rows } = await ctx.db.query<{ id: string }>(
    `INSERT INTO users (email, username, password_hash, role, kyc_level, frozen)
     VALUES ($1, $2, 'unusable', $3, $4, $5) RETURNING id`,
    [email, username, role, attrs.kycLevel ?? 1, attrs.frozen ?? false],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error("user insert returned nothing");
  const token = await ctx.tokens.signAccess({ userId: id, role });
  return { id, email, username, role, token };
}

export interface RegisteredUser {
  user: User;
  accessToken: string;
  refreshToken: string;
  password: string;
}

/**
 * Registers a user through `POST /api/auth/register`, as a client would, and returns the session with the
 * password used. Unique email and username unless given.
 */
export async function registerUser(
  server: Pick<TestServer, "request">,
  attrs: { email?: string; username?: string; password?: string; referralCode?: string } = {},
): Promise<RegisteredUser> {
  const username = attrs.username ?? `user_${randomBytes(5).toString("hex")}`;
  const password = attrs.password ?? `pw-${randomBytes(8).toString("hex")}`;
  const email = attrs.email ?? `${username}@example.test`;
  const body = {
    email,
    username,
    password,
    ...(attrs.referralCode ? { referralCode: attrs.referralCode } : {}),
  };
  const res = await server.request("POST", "/api/auth/register", { body });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { user, accessToken, refreshToken } = res.body;
  return { user, accessToken, refreshToken, password };
}
