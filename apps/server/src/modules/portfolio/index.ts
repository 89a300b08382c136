import type { SoftchatModule } from "../index.js";
import { priceService } from "../prices/index.js";
import { LivePortfolios } from "./live.js";
import { usdPrices } from "./market-prices.js";
import { registerPortfolioRoutes } from "./routes.js";
import { portfoliosOf } from "./service.js";
import { installTradingFills } from "./trading-fills.js";
import { installWalletActivities } from "./wallet-events.js";

export { portfolioOf } from "./service.js";

/**
 * Portfolio: holdings valued in USD with FIFO lots (average cost, realized and unrealized P&L, the lot
 * history and the realized gains per year), fed by trading fills and wallet deposits and transfers, and
 * live `portfolio_update` events. Registered after trading, whose fills it records, and the wallet and
 * prices it reads.
 */
export const portfolioModule: SoftchatModule = {
  name: "portfolio",
  register(app, ctx) {
    const prices = usdPrices(priceService(ctx));
    const compute = (userIds: string[]) => portfoliosOf(ctx, prices, userIds);
    const live = new LivePortfolios(ctx, prices, compute, ctx.config.PORTFOLIO_LIVE_INTERVAL_MS);
    const onRecorded = (userId: string) => live.holdingsChanged(userId);
    installTradingFills(ctx, prices, onRecorded, ctx.config.PORTFOLIO_FILLS_WINDOW_MS);
    installWalletActivities(ctx, onRecorded);
    live.install();
    registerPortfolioRoutes(app, ctx, prices);
    app.addHook("onReady", async () => live.start());
    ctx.onShutdown(() => live.stop());
  },
};
