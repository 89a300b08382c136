import type { DemoAccount, Role } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import { hashPassword } from "./passwords.js";
import { hasAnyUser, insertUser, listDemoUsers, lockSeeding, usernameTaken } from "./repo.js";

/** The password of every demo account; shown on the sign-in screen in embedded mode. */
export const DEMO_PASSWORD = "softchat-demo";

/** Outbox topic published when demo accounts are created: `{ users: [{ id, username, email, role }] }`. */
export const DEMO_SEEDED_TOPIC = "auth.demo_seeded";

/** A demo account just created, with its id for modules that give it data (balances, rooms...). */
export interface SeededUser extends DemoAccount {
  id: string;
  role: Role;
}

type SeedContext = Pick<AppContext, "db" | "config" | "logger" | "outbox">;

const DEMO_USERS: Array<{ username: string; role: Role }> = [
  { username: "alice", role: "user" },
  { username: "bob", role: "user" },
  { username: "carol", role: "creator" },
];

async function insertDemoUsers(
  ctx: SeedContext,
  tx: Transaction,
  specs: Array<{ username: string; role: Role; passwordHash: string }>,
): Promise<SeededUser[]> {
  const created: SeededUser[] = [];
  for (const spec of specs) {
    const email = `${spec.username}@softchat.local`;
    // Demo accounts are fully verified (KYC 3) so a first visit can try real-sized transfers and orders.
    const row = await insertUser(tx, { ...spec, email, isDemo: true, kycLevel: 3 });
    if (row)
      created.push({ id: row.id, email, username: row.username, role: row.role, password: DEMO_PASSWORD });
  }
  if (created.length > 0) {
    const users = created.map(({ id, username, email, role }) => ({ id, username, email, role }));
    await ctx.outbox.publish(tx, DEMO_SEEDED_TOPIC, { users });
  }
  return created;
}

async function demoSpecs(withAdmin: boolean) {
  const specs = withAdmin ? [...DEMO_USERS, { username: "admin", role: "admin" as Role }] : DEMO_USERS;
  return Promise.all(specs.map(async (s) => ({ ...s, passwordHash: await hashPassword(DEMO_PASSWORD) })));
}

/**
 * Creates the demo accounts alice, bob and carol (the creator), password `softchat-demo`, skipping any whose
 * email or username exists. Returns those it created. Modules that want demo data (balances, rooms) listen
 * to `DEMO_SEEDED_TOPIC`, delivered after the commit like every outbox event.
 */
export async function seedDemo(
  ctx: SeedContext,
  options: { withAdmin?: boolean } = {},
): Promise<SeededUser[]> {
  const specs = await demoSpecs(options.withAdmin ?? false);
  return ctx.db.transaction((tx) => insertDemoUsers(ctx, tx, specs));
}

async function freeUsername(tx: Transaction, wanted: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? wanted : `${wanted}${n}`;
    if (!(await usernameTaken(tx, candidate))) return candidate;
  }
}

/**
 * First start: on an empty users table, creates the admin of ADMIN_EMAIL/ADMIN_PASSWORD, and with SEED_DEMO
 * the demo accounts (plus a demo admin when no ADMIN_EMAIL is set). Several nodes starting together seed once.
 * Demo accounts are never created with NODE_ENV=production: their password is public.
 */
export async function bootstrapUsers(ctx: SeedContext): Promise<SeededUser[]> {
  const { config, logger } = ctx;
  const seedDemoUsers = config.SEED_DEMO && config.NODE_ENV !== "production";
  if (config.SEED_DEMO && !seedDemoUsers) logger.warn("SEED_DEMO is ignored with NODE_ENV=production");
  const { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword } = config;
  const admin =
    adminEmail && adminPassword ? { email: adminEmail.toLowerCase(), password: adminPassword } : null;
  if ((!admin && !seedDemoUsers) || (await hasAnyUser(ctx.db))) return [];
  // Hashing is slow on purpose, so it happens before the transaction rather than inside it.
  const adminHash = admin ? await hashPassword(admin.password) : null;
  const specs = seedDemoUsers ? await demoSpecs(!admin) : [];
  return ctx.db.transaction(async (tx) => {
    await lockSeeding(tx);
    if (await hasAnyUser(tx)) return [];
    if (admin && adminHash) {
      const username = await freeUsername(tx, "admin");
      await insertUser(tx, { email: admin.email, username, passwordHash: adminHash, role: "admin" });
      logger.info({ email: admin.email, username }, "admin account created from ADMIN_EMAIL");
    }
    return insertDemoUsers(ctx, tx, specs);
  });
}

/**
 * The demo accounts to show on the sign-in screen: only in embedded mode with SEED_DEMO, and only those
 * seeded and still present. Logs them once, with their password, so whoever started the node can sign in.
 */
export async function demoAccounts(ctx: SeedContext): Promise<DemoAccount[]> {
  const { config } = ctx;
  if (config.mode !== "embedded" || !config.SEED_DEMO || config.NODE_ENV === "production") return [];
  const accounts = (await listDemoUsers(ctx.db)).map((u) => ({ ...u, password: DEMO_PASSWORD }));
  if (accounts.length > 0) {
    const list = accounts.map((a) => `${a.email} (${a.username})`).join(", ");
    ctx.logger.info(`Demo accounts: ${list}; password for all: ${DEMO_PASSWORD}`);
  }
  return accounts;
}
