import { randomUUID } from "node:crypto";
import type { Asset } from "@softchat/contracts";
import type { Transaction } from "../../platform/db/index.js";
import { recordActivities } from "./book.js";
import type { ActivityKind } from "./fifo.js";
import { lockProgress, saveProgress } from "./fills-repo.js";
import { lockBook, type NewActivity } from "./repo.js";
import { valueCents } from "./usd.js";

/**
 * One order's fills so far, in ledger minor units, as trading publishes them (`trading.fills_settled`).
 * The figures are cumulative, so recording the same state twice, or an older state after a newer one,
 * changes nothing: only the growth since the last recorded state becomes activities.
 */
export interface OrderFillState {
  orderId: string;
  userId: string;
  side: "buy" | "sell";
  base: Asset;
  quote: Asset;
  /** Base received (buy) or delivered (sell) by all its fills. */
  filledBase: bigint;
  /** Quote paid, fees included (buy), or received, fees taken off (sell), by all its fills. */
  quoteTotal: bigint;
  /** When its latest fills settled. */
  at: Date;
}

/**
 * Records the fills of `state` not recorded yet, in the caller's transaction: a buy opens a lot of the base
 * at the USD value of the quote it paid (fees included); a sell closes base lots oldest first for the USD
 * value of the quote it received (fees taken off). When the quote is not USD, that quote leg is itself a
 * sale (a buy) of the quote asset at the same value. `quoteUsdMicros`: the quote's USD price now (ignored
 * for USD). Returns whether anything was recorded.
 */
export async function recordOrderFills(
  tx: Transaction,
  state: OrderFillState,
  quoteUsdMicros: bigint,
): Promise<boolean> {
  // The book lock first: it orders every writer of this user's portfolio, this order's progress included.
  await lockBook(tx, state.userId);
  const before = await lockProgress(tx, state.orderId);
  const base = state.filledBase - before.filledBase;
  const quote = state.quoteTotal - before.quoteTotal;
  if (base <= 0n || quote < 0n) return false;
  const usdCents = state.quote === "USD" ? quote : valueCents(state.quote, quote, quoteUsdMicros);
  const key = `fill:${state.orderId}:${state.filledBase}`;
  const legs: NewActivity[] = [];
  const leg = (suffix: string, kind: ActivityKind, asset: Asset, quantity: bigint) => {
    if (asset === "USD" || quantity <= 0n) return;
    legs.push({
      id: randomUUID(),
      sourceKey: `${key}:${suffix}`,
      kind,
      asset,
      quantity,
      usdCents,
      occurredAt: state.at,
    });
  };
  if (state.side === "buy") {
    leg("quote", "sell", state.quote, quote);
    leg("base", "buy", state.base, base);
  } else {
    leg("base", "sell", state.base, base);
    leg("quote", "buy", state.quote, quote);
  }
  await recordActivities(tx, state.userId, legs);
  await saveProgress(tx, state.orderId, state.userId, {
    filledBase: state.filledBase,
    quoteTotal: state.quoteTotal,
  });
  return true;
}
