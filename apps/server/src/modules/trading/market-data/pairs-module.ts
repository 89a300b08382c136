import { pairParamsSchema, tradingPairListSchema, tradingPairReplySchema } from "@softchat/contracts";
import type { AppContext } from "../../../platform/context.js";
import { notFound } from "../../../platform/http/errors.js";
import type { SoftchatModule } from "../../index.js";
import { priceService } from "../../prices/index.js";
import { loadPairs, type PairRegistry } from "../engine/pair-registry.js";
import { presentPair } from "./pair-view.js";

const registries = new WeakMap<object, PairRegistry>();

/** The pairs this deployment trades (TRADING_PAIRS or the defaults), loaded once per node. */
export function tradingPairs(ctx: Pick<AppContext, "config">): PairRegistry {
  let registry = registries.get(ctx);
  if (!registry) {
    registry = loadPairs(ctx.config);
    registries.set(ctx, registry);
  }
  return registry;
}

/**
 * `GET /api/crypto/trading/pairs` and `/pairs/:pairId`: each pair's rules with its last price and 24 h
 * change. Public market data. Registered after the prices module, whose service it reads.
 */
export const tradingPairsModule: SoftchatModule = {
  name: "trading-pairs",
  register(app, ctx) {
    const pairs = tradingPairs(ctx);
    const prices = priceService(ctx);
    const priceOf = (symbol: string) => prices.current(symbol);
    app.get(
      "/api/crypto/trading/pairs",
      { schema: { response: { 200: tradingPairListSchema }, tags: ["trading"] } },
      async () => ({ items: pairs.list().map((p) => presentPair(p, priceOf)) }),
    );
    app.get(
      "/api/crypto/trading/pairs/:pairId",
      { schema: { params: pairParamsSchema, response: { 200: tradingPairReplySchema }, tags: ["trading"] } },
      async (request) => {
        const pair = pairs.get(request.params.pairId);
        if (!pair) throw notFound(`Pair ${request.params.pairId}`);
        return { pair: presentPair(pair, priceOf) };
      },
    );
  },
};
