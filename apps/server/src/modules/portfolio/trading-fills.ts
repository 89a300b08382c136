import { ASSETS, type Asset } from "@softchat/contracts";
import { z } from "zod";
import type { AppContext } from "../../platform/context.js";
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
 * settlement (`trading.fills_settled`). A whole batch goes in one transaction, in a few statements
 * whatever its number of users and orders, under the book locks of all its users. A failure (say, no
 * price yet for a non-USD quote) throws, and the outbox delivers the batch again later with backoff; the
 * cumulative figures make every repeat harmless.
 */
export function installTradingFills(
  ctx: Pick<AppContext, "db" | "outbox" | "logger">,
  prices: UsdPrices,
  onRecorded: (userId: string) => void,
): void {
  ctx.outbox.on(FILLS_SETTLED_TOPIC, async (event) => {
    const parsed = fillsSettledSchema.safeParse(event.payload);
    if (!parsed.success) {
      ctx.logger.warn({ eventId: event.id, issues: parsed.error.issues }, "unreadable fills event ignored");
      return;
    }
    const states: OrderFillState[] = parsed.data.fills.map((f) => ({
      ...f,
      filledBase: BigInt(f.filledBase),
      quoteTotal: BigInt(f.quoteTotal),
      at: new Date(f.at),
    }));
    // Prices are read before any transaction: a price source may be slow, and no lock waits on it.
    const quotePrices = new Map<Asset, bigint>();
    for (const s of states) {
      if (s.quote !== "USD" && !quotePrices.has(s.quote))
        quotePrices.set(s.quote, await prices.micros(s.quote));
    }
    const changed = await ctx.db.transaction((tx) => recordFillStates(tx, states, quotePrices));
    for (const userId of changed) onRecorded(userId);
  });
}
