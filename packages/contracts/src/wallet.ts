import { z } from "zod";
import { decimalStringSchema, pageSchema, paginationQuerySchema, uuidSchema } from "./common.js";

/** Every asset the wallet holds, with its scale: amounts are integers of 10^-scale units. */
export const ASSET_SCALES = { USD: 2, EUR: 2, USDT: 6, BTC: 8, ETH: 18, SOFT: 6 } as const;
export type Asset = keyof typeof ASSET_SCALES;
export const ASSETS = Object.keys(ASSET_SCALES) as Asset[];

/** Crypto assets have deposit addresses; the network each one is received on. */
export const ASSET_NETWORKS: Partial<Record<Asset, string>> = {
  BTC: "bitcoin",
  ETH: "ethereum",
  USDT: "ethereum",
  SOFT: "softchat",
};

export function isAsset(value: string): value is Asset {
  return Object.hasOwn(ASSET_SCALES, value);
}

/** Largest amount accepted anywhere, in minor units (NUMERIC(39,0) holds far more; this keeps sums safe). */
export const MAX_AMOUNT_MINOR = 10n ** 30n;

/** Why a decimal string is not an amount of an asset. */
export type AmountProblem = "not_a_number" | "not_positive" | "too_precise" | "too_large";

const AMOUNT_RE = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string into minor units of an asset with a given scale ("12.50" at 2 is 1250n), exactly:
 * digits are read as text, never through a float. Trailing zeros beyond the scale are accepted ("1.500" at
 * 2); a non-zero digit beyond it is `too_precise`. Zero, signs, exponents and junk are refused.
 */
export function parseMinorUnits(value: string, scale: number): bigint | AmountProblem {
  const match = AMOUNT_RE.exec(value);
  if (!match || value.length > 80) return "not_a_number";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > scale) return "too_precise";
  const minor = BigInt(`${match[1]}${fraction.padEnd(scale, "0")}`);
  if (minor <= 0n) return "not_positive";
  if (minor > MAX_AMOUNT_MINOR) return "too_large";
  return minor;
}

/** Formats minor units with exactly `scale` fraction digits (1250n at 2 is "12.50"). */
export function formatMinorUnits(minor: bigint, scale: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const sign = negative ? "-" : "";
  return scale === 0 ? `${sign}${whole}` : `${sign}${whole}.${digits.slice(digits.length - scale)}`;
}

/** Where a movement came from or what it was for; also the `?type=` filter of the history. */
export const TRANSFER_KINDS = [
  "transfer",
  "deposit",
  "withdrawal",
  "fee",
  "trade",
  "escrow",
  "reward",
  "tip",
  "adjustment",
] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export const PAYMENT_PROVIDERS = ["sandbox", "stripe", "coinbase"] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** An asset code as sent by a client; unknown codes are answered 400 `unknown_asset` by the server. */
export const assetCodeSchema = z.string().trim().toUpperCase().max(10);

export const walletParamsSchema = z.object({ userId: uuidSchema });

export const balanceSchema = z.object({
  asset: z.string(),
  /** What can be spent now: posted credits minus posted and held debits. */
  available: z.string(),
  /** Held (pending) debits: withdrawals in flight, open orders, escrows. */
  pending: z.string(),
  /** available + pending. */
  total: z.string(),
});
export type Balance = z.infer<typeof balanceSchema>;
export const balancesReplySchema = z.object({ balances: z.array(balanceSchema) });

export const transferBodySchema = z.object({
  /** The recipient's user id or username. */
  to: z.string().trim().min(1).max(64),
  asset: assetCodeSchema,
  amount: decimalStringSchema,
  note: z.string().max(280).optional(),
});
export type TransferBody = z.infer<typeof transferBodySchema>;

export const TRANSFER_STATUSES = ["pending", "completed", "failed", "canceled", "expired"] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export const transferSchema = z.object({
  id: uuidSchema,
  from: uuidSchema,
  to: uuidSchema,
  asset: z.string(),
  amount: z.string(),
  fee: z.string(),
  status: z.enum(TRANSFER_STATUSES),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type WalletTransfer = z.infer<typeof transferSchema>;
export const transferReplySchema = z.object({ transfer: transferSchema });

export const transactionsQuerySchema = paginationQuerySchema.extend({
  asset: assetCodeSchema.optional(),
  type: z.enum(TRANSFER_KINDS).optional(),
});
export type TransactionsQuery = z.infer<typeof transactionsQuerySchema>;

/** One line of a user's history: a ledger transfer into or out of one of the user's accounts. */
export const walletTransactionSchema = z.object({
  id: uuidSchema,
  /** The operation it belongs to: the transfer, deposit or withdrawal id. */
  operationId: uuidSchema,
  type: z.enum(TRANSFER_KINDS),
  direction: z.enum(["in", "out"]),
  asset: z.string(),
  amount: z.string(),
  status: z.enum(TRANSFER_STATUSES),
  /** The other user, or null when the other side is Softchat itself (deposits, fees, rewards). */
  counterpartyId: uuidSchema.nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
});
export type WalletTransaction = z.infer<typeof walletTransactionSchema>;
export const walletTransactionPageSchema = pageSchema(walletTransactionSchema);

export const depositAddressSchema = z.object({ asset: z.string(), network: z.string(), address: z.string() });
export type DepositAddress = z.infer<typeof depositAddressSchema>;
export const depositAddressesReplySchema = z.object({ items: z.array(depositAddressSchema) });

export const depositBodySchema = z.object({
  asset: assetCodeSchema,
  amount: decimalStringSchema,
  provider: z.enum(PAYMENT_PROVIDERS),
});
export type DepositBody = z.infer<typeof depositBodySchema>;

export const PAYMENT_STATUSES = ["pending", "completed", "failed"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const depositSchema = z.object({
  id: uuidSchema,
  userId: uuidSchema,
  asset: z.string(),
  amount: z.string(),
  provider: z.enum(PAYMENT_PROVIDERS),
  status: z.enum(PAYMENT_STATUSES),
  /** Where the user pays, for providers with a hosted page (Coinbase Commerce). */
  checkoutUrl: z.string().nullable(),
  /** What the web app hands to Stripe.js to confirm the payment. */
  clientSecret: z.string().nullable(),
  createdAt: z.string(),
  settledAt: z.string().nullable(),
});
export type Deposit = z.infer<typeof depositSchema>;
export const depositReplySchema = z.object({ deposit: depositSchema });

export const withdrawalBodySchema = z.object({
  asset: assetCodeSchema,
  amount: decimalStringSchema,
  /** A crypto address or a bank reference, passed to the provider as given. */
  destination: z.string().trim().min(1).max(200),
  /** Defaults to `sandbox`. */
  provider: z.enum(PAYMENT_PROVIDERS).optional(),
});
export type WithdrawalBody = z.infer<typeof withdrawalBodySchema>;

export const withdrawalSchema = z.object({
  id: uuidSchema,
  userId: uuidSchema,
  asset: z.string(),
  amount: z.string(),
  destination: z.string(),
  provider: z.enum(PAYMENT_PROVIDERS),
  status: z.enum(PAYMENT_STATUSES),
  createdAt: z.string(),
  settledAt: z.string().nullable(),
});
export type Withdrawal = z.infer<typeof withdrawalSchema>;
export const withdrawalReplySchema = z.object({ withdrawal: withdrawalSchema });
