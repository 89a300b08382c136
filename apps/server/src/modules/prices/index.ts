import { socketRooms } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { SoftchatModule } from "../index.js";
import { PriceService } from "./price-service.js";
import { registerPriceRoutes } from "./routes.js";
import { registerPriceSocketHandlers } from "./socket.js";
import { createPriceSources, SimulatedFeed } from "./sources/index.js";

export { PRICE_SYMBOLS, PriceService } from "./price-service.js";

const services = new WeakMap<object, PriceService>();

/** This node's price service; other modules (trading pairs, portfolio, the wallet's KYC valuation) call it. */
export function priceService(ctx: AppContext): PriceService {
  let service = services.get(ctx);
  if (!service) {
    const config = ctx.config;
    const sourceErrors = ctx.metrics.counter({
      name: "price_source_errors_total",
      help: "Polls of a price source that failed (unreachable, error status, unreadable reply)",
      labelNames: ["source"],
    });
    service = new PriceService({
      sources: createPriceSources(config),
      fallback: new SimulatedFeed(config.PRICE_SIM_SEED),
      cache: ctx.cache,
      logger: ctx.logger,
      pollIntervalMs: config.PRICE_POLL_INTERVAL_MS,
      cacheTtlMs: config.PRICE_CACHE_TTL_MS,
      maxAgeMs: config.PRICE_MAX_AGE_MS,
      maxDeviationBps: config.PRICE_MAX_DEVIATION_BPS,
      onSourceError: (source) => sourceErrors.inc({ source }),
      onChange: (quote) =>
        ctx.realtime.emit(socketRooms.prices(quote.symbol), "price_update", {
          symbol: quote.symbol,
          price: quote.price,
          change: quote.change24h,
        }),
    });
    services.set(ctx, service);
  }
  return service;
}

/**
 * Prices: USD quotes from CoinGecko, CoinMarketCap and Binance (or the simulated feed in embedded mode),
 * `GET /api/crypto/prices/:symbol`, and `price_update` pushes to `subscribe_prices` subscribers.
 */
export const pricesModule: SoftchatModule = {
  name: "prices",
  register(app, ctx) {
    const prices = priceService(ctx);
    registerPriceRoutes(app, prices);
    registerPriceSocketHandlers(ctx, prices);
    app.addHook("onReady", async () => prices.start());
    ctx.onShutdown(() => prices.stop());
  },
};
