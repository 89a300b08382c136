import {
  lotsQuerySchema,
  portfolioLotPageSchema,
  portfolioQuerySchema,
  portfolioSchema,
  realizedQuerySchema,
  realizedReportSchema,
} from "@softchat/contracts";
import { actorOf, authenticate } from "../../platform/auth/guard.js";
import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import type { UsdPrices } from "./market-prices.js";
import { getPortfolio, lotPage, realizedReport } from "./service.js";

const tags = ["trading"];

/** `/api/trading/portfolio*`: the actor's own portfolio, realized gains and lots (admins: `?userId=`). */
export function registerPortfolioRoutes(app: App, ctx: AppContext, prices: UsdPrices): void {
  const preHandler = authenticate(ctx.tokens);

  app.get(
    "/api/trading/portfolio",
    { schema: { querystring: portfolioQuerySchema, response: { 200: portfolioSchema }, tags }, preHandler },
    async (request) => getPortfolio(ctx, prices, actorOf(request), request.query.userId),
  );

  app.get(
    "/api/trading/portfolio/realized",
    {
      schema: { querystring: realizedQuerySchema, response: { 200: realizedReportSchema }, tags },
      preHandler,
    },
    async (request) => realizedReport(ctx, actorOf(request), request.query),
  );

  app.get(
    "/api/trading/portfolio/lots",
    { schema: { querystring: lotsQuerySchema, response: { 200: portfolioLotPageSchema }, tags }, preHandler },
    async (request) => lotPage(ctx, actorOf(request), request.query),
  );
}
