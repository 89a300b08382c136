import type { SoftchatModule } from "../index.js";
import { priceService } from "../prices/index.js";
import { setPriceSource } from "../wallet/pricing.js";
import { ORDER_QUEUE, type OrderJob } from "./pipeline/engines.js";
import { registerTradingRoutes } from "./routes.js";
import { tradingOf } from "./runtime.js";
import { registerTradingSocketHandlers } from "./socket.js";

export { tradingOf } from "./runtime.js";
export { FILLS_SETTLED_TOPIC } from "./settlement-events.js";

/**
 * Trading: the order routes, the order queue feeding each pair's matching engine (one engine per pair
 * across the deployment, under a lease), settlement on the ledger, and the live order book. Registered
 * after the wallet (whose ledger it settles on) and the prices (whose quotes now value the wallet's KYC
 * limits too).
 */
export const tradingModule: SoftchatModule = {
  name: "trading",
  register(app, ctx) {
    const trading = tradingOf(ctx);
    // The wallet values outflows for the KYC limits with live prices from here on (exact integer cents).
    const prices = priceService(ctx);
    setPriceSource({ usdCentsPerUnit: (asset) => prices.usdCentsPerUnit(asset) });
    ctx.jobs.register<OrderJob>(ORDER_QUEUE, (job) => trading.engines.wake(job));
    registerTradingRoutes(app, trading);
    ctx.onShutdown(() => trading.intake.stop());
    registerTradingSocketHandlers(ctx, trading);
    if (ctx.config.TRADING_RUN_ENGINES) {
      app.addHook("onReady", async () => {
        await trading.engines.start();
      });
      ctx.onShutdown(() => trading.engines.stop());
    }
  },
};
