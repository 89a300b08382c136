import { ASSET_SCALES, formatMinorUnits, type TradingDeadLetter } from "@softchat/contracts";
import { assertAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import { ORDER_QUEUE, type OrderJob } from "./pipeline/engines.js";
import { parkedOrders } from "./repo.js";
import type { Trading } from "./runtime.js";

const LIMIT = 200;

/**
 * What the pipeline gave up on, for admins: parked orders (processing kept failing; their funds stay held
 * until the owner or an admin cancels them) and order-queue jobs that ran out of retries. Newest first.
 */
export async function tradingDeadLetters(trading: Trading, actor: Actor): Promise<TradingDeadLetter[]> {
  assertAdmin(actor);
  const orders: TradingDeadLetter[] = (await parkedOrders(trading.ctx.db, LIMIT)).map((o) => ({
    kind: "order",
    id: o.id,
    pairId: o.pairId,
    userId: o.userId,
    attempts: o.attempts,
    error: o.lastError ?? "",
    failedAt: (o.parkedAt ?? o.updatedAt).toISOString(),
    held: { asset: o.holdAsset, amount: formatMinorUnits(o.holdAmount, ASSET_SCALES[o.holdAsset]) },
  }));
  const jobs: TradingDeadLetter[] = (await trading.ctx.jobs.deadLetters(ORDER_QUEUE)).map((j) => {
    const data = (j.data ?? {}) as Partial<OrderJob>;
    return {
      kind: "job",
      id: j.jobId,
      pairId: typeof data.pairId === "string" ? data.pairId : null,
      userId: null,
      attempts: j.attempts,
      error: j.error,
      failedAt: j.failedAt,
      held: null,
    };
  });
  return [...orders, ...jobs].sort((a, b) => (a.failedAt < b.failedAt ? 1 : -1)).slice(0, LIMIT);
}
