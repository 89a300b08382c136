import { z } from "zod";

/** Outbox topic the wallet publishes after a transfer out or a withdrawal commits. */
export const WALLET_OUTFLOW_TOPIC = "wallet.outflow";
/** Outbox topic the wallet publishes after a deposit is credited. */
export const WALLET_DEPOSIT_TOPIC = "wallet.deposit_completed";

/** An integer carried as a decimal string (or a safe JSON number); a fraction of a cent is dropped. */
const cents = z
  .union([z.string().regex(/^\d+(\.\d+)?$/), z.number().int().nonnegative()])
  .transform((v) => BigInt(String(v).split(".")[0] ?? "0"));
const amount = z.union([z.string().regex(/^\d+(\.\d+)?$/), z.number().nonnegative()]).transform(String);

export const outflowPayloadSchema = z.object({
  userId: z.string().uuid(),
  kind: z.enum(["transfer", "withdrawal"]),
  asset: z.string().min(1).max(16),
  amount,
  usdCents: cents,
  limitUsdCents: cents,
  recipientId: z.string().uuid().nullable().optional(),
  transactionId: z.string().min(1).max(100),
  at: z.string().datetime({ offset: true }),
});

export const depositPayloadSchema = z.object({
  userId: z.string().uuid(),
  asset: z.string().min(1).max(16),
  amount,
  usdCents: cents,
  transactionId: z.string().min(1).max(100),
  at: z.string().datetime({ offset: true }),
});

/** One wallet movement as AML keeps it: what the rules need and nothing more. */
export interface MoneyFact {
  userId: string;
  kind: "deposit" | "transfer" | "withdrawal";
  transactionId: string;
  asset: string;
  amount: string;
  usdCents: bigint;
  limitUsdCents: bigint | null;
  recipientId: string | null;
  /** ISO-8601 time of the movement. */
  at: string;
}

/** The fact in a `wallet.outflow` payload, or null when the payload is malformed. */
export function outflowFact(payload: unknown): MoneyFact | null {
  const parsed = outflowPayloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const p = parsed.data;
  return {
    userId: p.userId,
    kind: p.kind,
    transactionId: p.transactionId,
    asset: p.asset,
    amount: p.amount,
    usdCents: p.usdCents,
    limitUsdCents: p.limitUsdCents,
    recipientId: p.recipientId ?? null,
    at: p.at,
  };
}

/** The fact in a `wallet.deposit_completed` payload, or null when the payload is malformed. */
export function depositFact(payload: unknown): MoneyFact | null {
  const parsed = depositPayloadSchema.safeParse(payload);
  if (!parsed.success) return null;
  const p = parsed.data;
  return {
    userId: p.userId,
    kind: "deposit",
    transactionId: p.transactionId,
    asset: p.asset,
    amount: p.amount,
    usdCents: p.usdCents,
    limitUsdCents: null,
    recipientId: null,
    at: p.at,
  };
}
