import type { Asset } from "@softchat/contracts";
import type { Queryable } from "../../platform/db/index.js";
import { AppError } from "../../platform/http/errors.js";
import { formatUsd } from "./pricing.js";

/** Outflow allowed per rolling 24 h by KYC level, in US cents: $100, $1,000, $10,000. */
export const KYC_LIMIT_USD_CENTS: Readonly<Record<1 | 2 | 3, bigint>> = {
  1: 10_000n,
  2: 100_000n,
  3: 1_000_000n,
};

/** An outflow (transfer out or withdrawal) to count against its user's rolling limit. */
export interface OutflowCharge {
  userId: string;
  kind: "transfer" | "withdrawal";
  asset: Asset;
  amount: bigint;
  usdCents: bigint;
  limitUsdCents: bigint;
  operationId: string;
}

/** Creates the per-user lock rows the limit check locks (idempotent). */
export async function ensureLimitRows(q: Queryable, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await q.query(
    `INSERT INTO wallet_outflow_limits (user_id) SELECT * FROM unnest($1::uuid[])
     ON CONFLICT (user_id) DO NOTHING`,
    [[...new Set(userIds)].sort()],
  );
}

/**
 * The KYC limits of one batch: the users' lock rows are held FOR UPDATE (so concurrent outflows of a user,
 * in any asset and on any node, are checked one after another) and their last 24 h of outflows summed.
 */
export class OutflowLimits {
  private readonly admitted: OutflowCharge[] = [];

  private constructor(
    private readonly charges: ReadonlyArray<OutflowCharge | undefined>,
    private readonly used: Map<string, bigint>,
  ) {}

  /** Locks the lock rows of every user charged in the batch (in id order) and loads their usage. */
  static async lock(q: Queryable, charges: ReadonlyArray<OutflowCharge | undefined>): Promise<OutflowLimits> {
    const users = [...new Set(charges.flatMap((c) => (c ? [c.userId] : [])))].sort();
    const used = new Map<string, bigint>();
    if (users.length > 0) {
      await q.query(
        "SELECT user_id FROM wallet_outflow_limits WHERE user_id = ANY($1::uuid[]) ORDER BY user_id FOR UPDATE",
        [users],
      );
      const { rows } = await q.query<{ user_id: string; used: string }>(
        `SELECT user_id, sum(usd_cents)::text AS used FROM wallet_outflows
          WHERE user_id = ANY($1::uuid[]) AND at > now() - interval '24 hours' AND released_at IS NULL
          GROUP BY user_id`,
        [users],
      );
      for (const r of rows) used.set(r.user_id, BigInt(r.used));
    }
    return new OutflowLimits(charges, used);
  }

  /** Admits operation `index` if its outflow fits in what is left of the user's limit, and counts it. */
  admit(index: number): AppError | null {
    const charge = this.charges[index];
    if (!charge) return null;
    const used = this.used.get(charge.userId) ?? 0n;
    if (used + charge.usdCents > charge.limitUsdCents) {
      const remaining = charge.limitUsdCents > used ? charge.limitUsdCents - used : 0n;
      return new AppError(
        "kyc_limit_exceeded",
        "This would exceed your 24-hour limit for your verification level",
        {
          remaining: formatUsd(remaining),
          limit: formatUsd(charge.limitUsdCents),
          requested: formatUsd(charge.usdCents),
        },
      );
    }
    this.used.set(charge.userId, used + charge.usdCents);
    this.admitted.push(charge);
    return null;
  }

  /** Writes the admitted outflows, in the batch's transaction. */
  async record(q: Queryable): Promise<void> {
    if (this.admitted.length === 0) return;
    const a = this.admitted;
    await q.query(
      `INSERT INTO wallet_outflows (user_id, operation_id, kind, asset, amount, usd_cents)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::numeric[])`,
      [
        a.map((c) => c.userId),
        a.map((c) => c.operationId),
        a.map((c) => c.kind),
        a.map((c) => c.asset),
        a.map((c) => c.amount.toString()),
        a.map((c) => c.usdCents.toString()),
      ],
    );
  }
}

/** Stops counting an outflow that did not happen after all (a failed withdrawal). */
export async function releaseOutflow(q: Queryable, operationId: string): Promise<void> {
  await q.query(
    "UPDATE wallet_outflows SET released_at = now() WHERE operation_id = $1 AND released_at IS NULL",
    [operationId],
  );
}
