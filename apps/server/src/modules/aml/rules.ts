import type { Transaction } from "../../platform/db/index.js";
import type { MoneyFact } from "./events.js";
import {
  countNearLimitOutflows,
  countOutflows,
  countRecipients,
  depositsIn,
  flaggedWithin,
  type NewFlag,
  withdrawnAfter,
} from "./repo.js";

const HOUR = 3600;
const DAY = 24 * HOUR;

/** The figures the rules use; a rule fires when its figure reaches the threshold. */
export const AML_THRESHOLDS = {
  /** A single deposit or outflow worth this many USD cents or more ($10,000). */
  largeTransactionUsdCents: 1_000_000n,
  /** This many outflows at `structuringLowPercent`-100% of the user's limit within 24 h. */
  structuringCount: 3n,
  structuringLowPercent: 90,
  /** More than this many outflows within one hour. */
  velocityMaxPerHour: 20n,
  /** Withdrawals within one hour of a deposit totalling this percentage of it or more. */
  rapidInOutPercent: 80n,
  /** More than this many distinct transfer recipients within 24 h. */
  fanOutMaxRecipients: 10n,
} as const;

const T = AML_THRESHOLDS;

function flag(f: MoneyFact, rule: NewFlag["rule"], severity: NewFlag["severity"], details: object): NewFlag {
  return {
    userId: f.userId,
    rule,
    severity,
    triggerKey: f.transactionId,
    transactionId: f.transactionId,
    triggeredAt: f.at,
    details: { asset: f.asset, amount: f.amount, usdCents: f.usdCents.toString(), ...details },
  };
}

const isOutflow = (f: MoneyFact) => f.kind !== "deposit";

async function largeTransaction(_tx: Transaction, f: MoneyFact): Promise<NewFlag[]> {
  if (f.usdCents < T.largeTransactionUsdCents) return [];
  return [flag(f, "large_transaction", "high", { kind: f.kind })];
}

async function structuring(tx: Transaction, f: MoneyFact): Promise<NewFlag[]> {
  const limit = f.limitUsdCents;
  if (!isOutflow(f) || !limit || f.usdCents * 100n < limit * BigInt(T.structuringLowPercent)) return [];
  if (f.usdCents > limit) return [];
  const window = { at: f.at, seconds: DAY };
  const count = await countNearLimitOutflows(tx, f.userId, window, T.structuringLowPercent);
  if (count < T.structuringCount || (await flaggedWithin(tx, f.userId, "structuring", window))) return [];
  return [flag(f, "structuring", "high", { outflowsNearLimit: count.toString(), windowHours: 24 })];
}

async function velocity(tx: Transaction, f: MoneyFact): Promise<NewFlag[]> {
  if (!isOutflow(f)) return [];
  const window = { at: f.at, seconds: HOUR };
  const count = await countOutflows(tx, f.userId, window);
  if (count <= T.velocityMaxPerHour || (await flaggedWithin(tx, f.userId, "velocity", window))) return [];
  return [flag(f, "velocity", "medium", { outflows: count.toString(), windowHours: 1 })];
}

async function fanOut(tx: Transaction, f: MoneyFact): Promise<NewFlag[]> {
  if (f.kind !== "transfer") return [];
  const window = { at: f.at, seconds: DAY };
  const recipients = await countRecipients(tx, f.userId, window);
  if (recipients <= T.fanOutMaxRecipients || (await flaggedWithin(tx, f.userId, "fan_out", window)))
    return [];
  return [flag(f, "fan_out", "medium", { distinctRecipients: recipients.toString(), windowHours: 24 })];
}

/**
 * A deposit moved out again within the hour. Checked from both ends, so the order the two events arrive
 * in does not matter; the flag is keyed by the deposit, so one deposit raises it at most once.
 */
async function rapidInOut(tx: Transaction, f: MoneyFact): Promise<NewFlag[]> {
  if (f.kind === "transfer") return [];
  const deposits =
    f.kind === "deposit"
      ? [{ transactionId: f.transactionId, usdCents: f.usdCents, at: f.at }]
      : await depositsIn(tx, f.userId, { at: f.at, seconds: HOUR });
  const flags: NewFlag[] = [];
  for (const deposit of deposits) {
    if (deposit.usdCents <= 0n) continue;
    const withdrawn = await withdrawnAfter(tx, f.userId, deposit.at, HOUR);
    if (withdrawn * 100n < deposit.usdCents * T.rapidInOutPercent) continue;
    flags.push({
      ...flag(f, "rapid_in_out", "high", {
        depositTransactionId: deposit.transactionId,
        depositUsdCents: deposit.usdCents.toString(),
        withdrawnUsdCents: withdrawn.toString(),
        windowHours: 1,
      }),
      triggerKey: `deposit:${deposit.transactionId}`,
    });
  }
  return flags;
}

const RULES = [largeTransaction, structuring, velocity, rapidInOut, fanOut];

/** Every flag the fact raises, given the facts already kept for its user (the fact itself included). */
export async function evaluateRules(tx: Transaction, fact: MoneyFact): Promise<NewFlag[]> {
  const flags: NewFlag[] = [];
  for (const rule of RULES) flags.push(...(await rule(tx, fact)));
  return flags;
}
