import { ASSETS, type Asset } from "@softchat/contracts";
import { z } from "zod";
import type { AppContext } from "../../platform/context.js";
import { GroupCommit } from "../../platform/group-commit.js";
import { FILLS_SETTLED_TOPIC } from "../trading/index.js";
import type { UsdPrices } from "./market-prices.js";
import { type OrderFillState, recordFillStates } from "./order-fills.js";

const asset = z.enum(ASSETS as [Asset, ...Asset[]]);
const minor = z.string().regex(/^\d{1,40}$/);
/** The payload of trading's `trading.fills_settled`: each filled order's cumulative state. */
const fillsSettledSchema = z.object({
  fills: z.array(
    z.object({
      orderId: z.string().uuid(),
      userId: z.string().uuid(),
      side: z.enum(["buy", "sell"]),
      base: asset,
      quote: asset,
      filledBase: minor,
      quoteTotal: minor,
      at: z.string(),
    }),
  ),
});

/**
 * Records trading fills as portfolio activities, from the batches the pipeline publishes after each
 * settlement (`trading.fills_settled`). The fills events delivered within `windowMs` of each other (a busy
 * pipeline settles many small batches a second, on every pair) are recorded together, in one transaction of
 * a few statements whatever their number of users and orders, under the book locks of all their users:
 * one portfolio transaction per window instead of one per settlement, and no two of them queueing on the same
 * books. An event is delivered once its transaction commits. When a combined transaction fails, each event
 * is tried alone, so one that cannot be recorded (say, no price yet for a non-USD quote) throws by itself
 * and the outbox delivers it again later with backoff; the cumulative figures make every repeat harmless.
 */
export function installTradingFills(
  ctx: Pick<AppContext, "db" | "outbox" | "logger">,
  prices: UsdPrices,
  onRecorded: (userId: string) => void,
  windowMs: number,
): void {
  const record = async (states: OrderFillState[]) => {
    // Prices are read before any transaction: a price source may be slow, and no lock waits on it.
    const quotePrices = new Map<Asset, bigint>();
    for (const s of states) {
      if (s.quote !== "USD" && !quotePrices.has(s.quote))
        quotePrices.set(s.quote, await prices.micros(s.quote));
    }
    const changed = await ctx.db.transaction((tx) => recordFillStates(tx, states, quotePrices));
    for (const userId of changed) onRecorded(userId);
  };
  const batches = new GroupCommit<OrderFillState[], void>(
    async (events) => {
      try {
        await record(latestStates(events.flat()));
        return events.map(() => ({ ok: true, value: undefined }));
      } catch (err) {
        if (events.length === 1) throw err;
        ctx.logger.warn(
          { err, events: events.length },
          "portfolio fills batch failed; recording its events one by one",
        );
        return Promise.all(
          events.map((states) =>
            record(states).then(
              () => ({ ok: true as const, value: undefined }),
              (error: unknown) => ({ ok: false as const, error }),
            ),
          ),
        );
      }
    },
    {
      windowMs,
      maxBatch: 500,
      // Never refuse, nor close: every submitter is an outbox delivery, and the outbox stops (waiting for its
      // deliveries, hence for their batches) before the database closes.
      maxQueued: Number.MAX_SAFE_INTEGER,
      lanes: 1,
      busyMessage: "Portfolio recording is shutting down",
    },
  );

  ctx.outbox.on(FILLS_SETTLED_TOPIC, async (event) => {
    const parsed = fillsSettledSchema.safeParse(event.payload);
    if (!parsed.success) {
      ctx.logger.warn({ eventId: event.id, issues: parsed.error.issues }, "unreadable fills event ignored");
      return;
    }
    await batches.submit(
      parsed.data.fills.map((f) => ({
        orderId: f.orderId,
        userId: f.userId,
        side: f.side,
        base: f.base,
        quote: f.quote,
        filledBase: BigInt(f.filledBase),
        quoteTotal: BigInt(f.quoteTotal),
        at: new Date(f.at),
      })),
    );
  });
}

/**
 * One state per order: the furthest filled of those given. States are cumulative, so the furthest holds
 * everything the others tell (a redelivered event may carry an older state than a later one).
 */
export function latestStates(states: readonly OrderFillState[]): OrderFillState[] {
  const latest = new Map<string, OrderFillState>();
  for (const state of states) {
    const seen = latest.get(state.orderId);
    if (!seen || state.filledBase > seen.filledBase) latest.set(state.orderId, state);
  }
  return [...latest.values()];
}
