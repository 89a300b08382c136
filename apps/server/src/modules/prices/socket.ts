import { clientEventSchemas, type PriceQuote, socketRooms } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import { AppError } from "../../platform/http/errors.js";
import { PRICE_SYMBOLS, type PriceService } from "./price-service.js";

/**
 * A client's symbol as Softchat's: upper case, and a USD pair written as one (`btc`, `BTC-USD`, `BTC/USD`
 * are all `BTC`). Null for a symbol Softchat does not price.
 */
export function normalizeSymbol(raw: string): string | null {
  const symbol = raw
    .trim()
    .toUpperCase()
    .replace(/[-/]USD$/, "");
  return (PRICE_SYMBOLS as readonly string[]).includes(symbol) ? symbol : null;
}

function normalizeAll(raw: readonly string[]): string[] {
  const symbols = raw.map((s) => ({ raw: s, symbol: normalizeSymbol(s) }));
  const unknown = symbols.filter((s) => s.symbol === null).map((s) => s.raw);
  if (unknown.length > 0)
    throw new AppError("not_found", `No price for ${unknown.join(", ")}`, { symbols: unknown });
  return [...new Set(symbols.map((s) => s.symbol ?? ""))];
}

/**
 * `subscribe_prices {symbols}` joins the `prices:{symbol}` rooms and acknowledges `{ symbols, prices }` with
 * the current quotes, so the client has a value before the first `price_update`; `unsubscribe_prices` leaves.
 */
export function registerPriceSocketHandlers(ctx: Pick<AppContext, "realtime">, prices: PriceService): void {
  ctx.realtime.handle("subscribe_prices", clientEventSchemas.subscribe_prices, async (socket, payload) => {
    const symbols = normalizeAll(payload.symbols);
    await socket.join(symbols.map((s) => socketRooms.prices(s)));
    const quotes: PriceQuote[] = [];
    for (const symbol of symbols) {
      const quote = prices.current(symbol);
      if (quote) quotes.push(quote);
    }
    // The contract's reply type lists `symbols` only; `prices` is sent too so the client can draw at once.
    const reply: { symbols: string[]; prices: PriceQuote[] } = { symbols, prices: quotes };
    return reply;
  });
  ctx.realtime.handle(
    "unsubscribe_prices",
    clientEventSchemas.unsubscribe_prices,
    async (socket, payload) => {
      const symbols = normalizeAll(payload.symbols);
      await Promise.all(symbols.map((s) => socket.leave(socketRooms.prices(s))));
      return { symbols };
    },
  );
}
