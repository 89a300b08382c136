import { randomUUID } from "node:crypto";
import type { Asset } from "@softchat/contracts";
import type { Transaction } from "../../platform/db/index.js";
import { recordLockedActivities } from "./book.js";
import type { ActivityKind } from "./fifo.js";
import { lockProgress, type OrderProgress, saveProgress } from "./fills-repo.js";
import { lockBooks, type NewActivity } from "./repo.js";
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

const NOTHING: OrderProgress = { filledBase: 0n, quoteTotal: 0n };

/**
 * Records the fills of `states` not recorded yet, in the caller's transaction, as if each state were
 * recorded in turn, in a fixed number of statements: every owner's book and every order's progress are
 * locked at once, the activities of all of them recorded together. A buy opens a lot of the base at the
 * USD value of the quote it paid (fees included); a sell closes base lots oldest first for the USD value
 * of the quote it received (fees taken off). When the quote is not USD, that quote leg is itself a sale (a
 * buy) of the quote asset at the same value. `quoteUsdMicros`: each non-USD quote's USD price now. Returns
 * the users whose portfolio changed.
 */
export async function recordFillStates(
  tx: Transaction,
  states: readonly OrderFillState[],
  quoteUsdMicros: ReadonlyMap<Asset, bigint>,
): Promise<Set<string>> {
  if (states.length === 0) return new Set();
  // The book locks first: they order every writer of these users' portfolios, these orders' progress too.
  await lockBooks(
    tx,
    states.map((s) => s.userId),
  );
  const recorded = await lockProgress(
    tx,
    states.map((s) => s.orderId),
  );
  const legs = new Map<string, NewActivity[]>();
  const moved = new Map<string, OrderProgress & { userId: string }>();
  for (const state of states) {
    const added = fillLegs(
      state,
      recorded.get(state.orderId) ?? NOTHING,
      quoteUsdMicros.get(state.quote) ?? 0n,
    );
    if (!added) continue;
    const progress = { filledBase: state.filledBase, quoteTotal: state.quoteTotal };
    recorded.set(state.orderId, progress);
    moved.set(state.orderId, { userId: state.userId, ...progress });
    legs.set(state.userId, [...(legs.get(state.userId) ?? []), ...added]);
  }
  const changed = await recordLockedActivities(tx, legs);
  await saveProgress(tx, moved);
  return changed;
}

/** The activities of what `state` filled since `before`, or null when it tells nothing new. */
function fillLegs(
  state: OrderFillState,
  before: OrderProgress,
  quoteUsdMicros: bigint,
): NewActivity[] | null {
  const base = state.filledBase - before.filledBase;
  const quote = state.quoteTotal - before.quoteTotal;
  if (base <= 0n || quote < 0n) return null;
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
  return legs;
}
