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
  /** Socket.IO: close sockets with no events for this long (ms), sent or received; pings do not count. */
  SOCKET_IDLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(5 * 60_000),
  SOCKET_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(20_000),
  SOCKET_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(10),
  /**
   * How long a node's sockets keep counting (per-user limit, presence) without the node's heartbeat (ms):
   * bounds how long the users of a crashed node still look connected.
   */
  SOCKET_CONNECTION_TTL_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** Presence: how long a user with no connection stays online/away before going offline (ms); a reload does not flap. */
  PRESENCE_OFFLINE_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** Chat: a typing indicator with no refresh ends by itself after this long (ms). */
  CHAT_TYPING_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** How long a shutdown waits for in-flight work before exiting (ms). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Background jobs one node runs at once, per queue. */
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** Adds hidden routes the shutdown tests drive (a slow request); honoured only when NODE_ENV=test. */
  TEST_ROUTES: bool.default(false),
  /** Directory with the built web app to serve at `/`. */
  WEB_DIST_DIR: z.string().optional(),
  /** Sandbox payments: how long a withdrawal waits for its simulated confirmation (ms). */
  SANDBOX_CONFIRM_MS: z.coerce.number().int().min(0).max(3_600_000).default(2000),
  /** Stripe secret key (`sk_...`); with STRIPE_WEBHOOK_SECRET it enables the `stripe` provider. */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  /** Stripe webhook signing secret (`whsec_...`). */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Stripe API base URL; tests point it at a local fake. */
  STRIPE_API_URL: z.string().url().default("https://api.stripe.com"),
  /** Oldest Stripe webhook timestamp accepted, in seconds (replay window). */
  STRIPE_WEBHOOK_TOLERANCE_SEC: z.coerce.number().int().min(1).max(3600).default(300),
  /** Coinbase Commerce API key; with COINBASE_WEBHOOK_SECRET it enables the `coinbase` provider. */
  COINBASE_COMMERCE_API_KEY: z.string().min(1).optional(),
  /** Coinbase Commerce webhook shared secret. */
  COINBASE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Coinbase Commerce API base URL; tests point it at a local fake. */
  COINBASE_API_URL: z.string().url().default("https://api.commerce.coinbase.com"),
  /** Timeout of one call to a payment provider's API (ms). */
  PAYMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** How often the audit sealer looks for rows to add to the hash chain (ms); commits also wake it. */
  AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /**
   * Trading pairs as a JSON array replacing the defaults (BTC-USD, ETH-USD, ETH-BTC, SOFT-USD); each entry
   * `{ pairId, tickSize, lotSize, minNotional, makerFeeBps?, takerFeeBps?, fixedFee? }`, decimals as strings.
   */
  TRADING_PAIRS: z.string().optional(),
  /** Default maker fee of a fill, in basis points of its value (100 = 1%). */
  TRADING_MAKER_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Default taker fee of a fill, in basis points of its value (100 = 1%). */
  TRADING_TAKER_FEE_BPS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** How far from the best price a market order may trade, in basis points (500 = 5%). */
  TRADING_MARKET_PROTECTION_BPS: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Whether this node runs matching engines (competes for the pairs' leases); false makes an API-only node. */
  TRADING_RUN_ENGINES: bool.default(true),
  /** How often a node tries to take the engine lease of each pair it does not run, and its engines look for missed commands (ms). */
  TRADING_ENGINE_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Tries of an order command (and of its queue job) before it is parked as a dead letter, funds still held. */
  TRADING_ORDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** First retry delay of a failed order command (ms); it doubles with each further try. */
  TRADING_ORDER_RETRY_MS: z.coerce.number().int().min(10).max(600_000).default(250),
  /** Order intake group commit: how long concurrent orders are gathered into one transaction (ms). */
  TRADING_INTAKE_WINDOW_MS: z.coerce.number().int().min(0).max(100).default(1),
  /** Order intake group commit: most orders accepted in one transaction. */
  TRADING_INTAKE_BATCH_MAX: z.coerce.number().int().min(1).max(5000).default(500),
  /**
   * Order intake group commit: batches in flight at once on PostgreSQL (PGlite always runs one). One by
   * default: batches of the same traders lock the same accounts, so a second lane mostly waits on the first
   * and on settlement (orders bench, 500/s: p99 acceptance 70-75 ms and fills 78-82 ms with one lane, 81-83
   * and 103-110 ms with two). More lanes help when batches rarely share accounts.
   */
  TRADING_INTAKE_LANES: z.coerce.number().int().min(1).max(32).default(1),
  /** Order intake group commit: most orders waiting for a batch; past it requests get 503 `unavailable`. */
  TRADING_INTAKE_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /**
   * How long fills settled on any pair are gathered into one portfolio transaction (ms): one per window
   * rather than one per settlement batch. Holdings and `portfolio_update` lag the fills by about this much.
   */
  PORTFOLIO_FILLS_WINDOW_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /** Most often a connected user's portfolio is revalued and pushed when prices move (ms). */
  PORTFOLIO_LIVE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  /** Most order book updates sent per second per pair; changes in between are coalesced. */
  MARKET_DATA_MAX_UPDATES_PER_SEC: z.coerce.number().int().min(1).max(100).default(10),
  /** CoinGecko API base URL; setting it (or PRICE_COINGECKO_KEY) enables the CoinGecko price source. */
  PRICE_COINGECKO_URL: z.string().url().optional(),
  /** CoinGecko API key (sent as x-cg-pro-api-key on pro-api hosts, x-cg-demo-api-key otherwise). */
  PRICE_COINGECKO_KEY: z.string().min(1).optional(),
  /** CoinMarketCap API base URL (default https://pro-api.coinmarketcap.com); used when PRICE_CMC_KEY is set. */
  PRICE_CMC_URL: z.string().url().optional(),
  /** CoinMarketCap API key (X-CMC_PRO_API_KEY); enables the CoinMarketCap price source. */
  PRICE_CMC_KEY: z.string().min(1).optional(),
  /** Binance API base URL (e.g. https://api.binance.com); enables the Binance price source (USDT quotes as USD). */
  PRICE_BINANCE_URL: z.string().url().optional(),
  /** How often prices are fetched from the sources (ms). */
  PRICE_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  /** How long a published price is cached (ms). */
  PRICE_CACHE_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** A source's price older than this is not used (ms). */
  PRICE_MAX_AGE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** Sources further than this from the median are dropped, in basis points (200 = 2%). */
  PRICE_MAX_DEVIATION_BPS: z.coerce.number().int().min(1).max(10_000).default(200),
  /** Timeout of one call to a price source (ms). */
  PRICE_SOURCE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Seed of the simulated price feed used when no source is configured. */
  PRICE_SIM_SEED: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
  /** Wallet group commit: how long concurrent money operations are gathered into one transaction (ms). */
  WALLET_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(100).default(1),
  /** Wallet group commit: most operations applied in one transaction. */
  WALLET_BATCH_MAX: z.coerce.number().int().min(1).max(5000).default(500),
  /** Wallet group commit: batches in flight at once on PostgreSQL (PGlite always runs one). */
  WALLET_BATCH_LANES: z.coerce.number().int().min(1).max(32).default(4),
  /** Wallet group commit: most operations waiting for a batch; past it requests get 503 `unavailable`. */
  WALLET_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** How often expired ledger holds are looked for and voided (ms). */
  WALLET_HOLD_SWEEP_MS: z.coerce.number().int().min(50).max(3_600_000).default(5000),
  /**
   * How long a withdrawal may stay pending past its expected confirmation before the wallet settles it
   * itself (ms): a sandbox payout whose confirmation job was lost is confirmed (or failed), and one the
   * provider never acknowledged is failed with its funds returned. Checked every WALLET_HOLD_SWEEP_MS.
   */
  WALLET_WITHDRAWAL_RECOVERY_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  /**
   * How long delivered outbox events are kept, in hours, before the hourly prune deletes them (events not
   * yet delivered are never pruned).
   */
  OUTBOX_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(72),
  /** How long Idempotency-Key records are kept, in hours (at least 24). */
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(24)
    .max(24 * 365)
    .default(48),
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
