import type { AppContext } from "../platform/context.js";
import type { App } from "../platform/http/app-type.js";
import { realtimeModule } from "../platform/realtime/index.js";
import { amlModule } from "./aml/index.js";
import { authModule } from "./auth/index.js";
import { chatModule } from "./chat/index.js";
import { notificationsModule } from "./notifications/index.js";
import { paymentsModule } from "./payments/index.js";
import { portfolioModule } from "./portfolio/index.js";
import { presenceModule } from "./presence/index.js";
import { pricesModule } from "./prices/index.js";
import { tradingModule } from "./trading/index.js";
import { tradingPairsModule } from "./trading/market-data/pairs-module.js";
import { walletModule } from "./wallet/index.js";
import { webModule } from "./web/index.js";

/** A domain module: registers its routes (and socket handlers, outbox handlers, jobs) at start. */
export interface SoftchatModule {
  name: string;
  register(app: App, ctx: AppContext): Promise<void> | void;
}

/** Every module, in registration order. A module may call the services of those registered before it. */
export const modules: SoftchatModule[] = [
  // First: its rate-limit hook covers every route after it, and every other module needs users.
  authModule,
  // Right after auth: every later module may add socket handlers to the gateway.
  realtimeModule,
  chatModule,
  presenceModule,
  notificationsModule,
  walletModule,
  paymentsModule,
  amlModule,
  pricesModule,
  // After prices: shows each pair's last price from the price service.
  tradingPairsModule,
  // After wallet and prices: orders hold and settle on the ledger; prices value the KYC rule.
  tradingModule,
  // After trading, wallet and prices: records fills, deposits and transfers as FIFO lots, valued live.
  portfolioModule,
  // Keep last: its catch-all route serves the web app for every path no other module claims.
  webModule,
];
