import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

const WINDOW_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A rate-limit tier written as `<points>/<window>`, e.g. `5/15m`, `100/1m`, `10/1h`. */
export interface RateTier {
  points: number;
  durationSec: number;
}

const rateTier = z.string().transform((value, ctx): RateTier => {
  const match = /^(\d+)\/(\d+)([smhd])$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: "custom", message: `expected <points>/<window> such as 5/15m, got "${value}"` });
    return z.NEVER;
  }
  const unit = WINDOW_UNITS[match[3] ?? "s"] ?? 1;
  return { points: Number(match[1]), durationSec: Number(match[2]) * unit };
});

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const csv = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Every environment variable Softchat reads. Nothing else in the server reads `process.env`. */
export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** HTTP and Socket.IO port. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Where embedded mode keeps PGlite files and the generated JWT secret. */
  DATA_DIR: z.string().default("./data"),
  /** PostgreSQL connection string; when unset the server runs on embedded PGlite. */
  DATABASE_URL: z.string().url().optional(),
  /** PostgreSQL pool size per node. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  /** Redis connection string; when set, fan-out, rate limits, presence, cache and jobs go through Redis. */
  REDIS_URL: z.string().url().optional(),
  /** Prefix for every Redis key, so several deployments (or test files) can share one Redis. */
  REDIS_PREFIX: z.string().default("softchat:"),
  /** HMAC secret for access tokens; at least 32 characters. Required in production. */
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Access token lifetime in seconds. */
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(10).max(86400).default(900),
  /** Refresh token lifetime in seconds. */
  REFRESH_TOKEN_TTL_SEC: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 86400),
  /** Comma-separated origins allowed by CORS; empty means same-origin only. */
  CORS_ORIGINS: csv.default([]),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  /** Create demo users on an empty database. */
  SEED_DEMO: bool.default(true),
  RATE_LIMIT_AUTH: rateTier.prefault("5/15m"),
  RATE_LIMIT_API: rateTier.prefault("100/1m"),
  RATE_LIMIT_PAYMENTS: rateTier.prefault("10/1h"),
  RATE_LIMIT_IP: rateTier.prefault("300/1m"),
  /** Per-socket event limit (the owner's figure: 100 events / 60 s). */
  RATE_LIMIT_SOCKET: rateTier.prefault("100/1m"),
  /** Take the client IP from X-Forwarded-For (only behind a proxy you control). */
  TRUST_PROXY: bool.default(false),
  /** Largest accepted request body in bytes. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * 1024 * 1024)
    .default(256 * 1024),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Socket.IO: close sockets with no client events for this long (ms). */
  SOCKET_IDLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(5 * 60_000),
  SOCKET_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(20_000),
  SOCKET_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(10),
  /** How long a shutdown waits for in-flight work before exiting (ms). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Directory with the built web app to serve at `/`. */
  WEB_DIST_DIR: z.string().optional(),
});

export type Config = z.infer<typeof configSchema> & {
  /** Resolved JWT secret (generated and kept under DATA_DIR in embedded mode). */
  jwtSecret: string;
  /** "embedded" when no DATABASE_URL is set. */
  mode: "embedded" | "scaled";
};

/** Thrown for an invalid environment; the message is one line naming the variable. */
export class ConfigError extends Error {}

/**
 * Parses the environment into a Config. A bad value throws a ConfigError whose message names the variable.
 * In embedded mode a missing JWT_SECRET is generated once and kept in DATA_DIR/jwt-secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "environment");
    throw new ConfigError(`Invalid ${name}: ${issue?.message ?? "invalid value"}`);
  }
  const cfg = parsed.data;
  if ((cfg.ADMIN_EMAIL === undefined) !== (cfg.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("Invalid ADMIN_PASSWORD: ADMIN_EMAIL and ADMIN_PASSWORD must be set together");
  }
  let jwtSecret = cfg.JWT_SECRET;
  if (!jwtSecret) {
    if (cfg.NODE_ENV === "production")
      throw new ConfigError("Invalid JWT_SECRET: required when NODE_ENV=production");
    jwtSecret = loadOrCreateSecret(cfg.DATA_DIR);
  }
  return { ...cfg, jwtSecret, mode: cfg.DATABASE_URL ? "scaled" : "embedded" };
}

function loadOrCreateSecret(dataDir: string): string {
  const dir = resolve(dataDir);
  const file = join(dir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
