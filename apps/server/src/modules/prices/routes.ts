import { priceParamsSchema, priceQuoteSchema } from "@softchat/contracts";
import type { App } from "../../platform/http/app-type.js";
import type { PriceService } from "./price-service.js";

/** `GET /api/crypto/prices/:symbol`: public market data, no sign-in needed. */
export function registerPriceRoutes(app: App, prices: PriceService): void {
  app.get(
    "/api/crypto/prices/:symbol",
    { schema: { params: priceParamsSchema, response: { 200: priceQuoteSchema }, tags: ["prices"] } },
    async (request) => prices.getPrice(request.params.symbol),
  );
}
