import {
  candleListSchema,
  candlesQuerySchema,
  orderActionBodySchema,
  orderbookSnapshotSchema,
  orderListQuerySchema,
  orderPageSchema,
  orderParamsSchema,
  orderReplySchema,
  pairParamsSchema,
  placeOrderBodySchema,
  ticker24hSchema,
  tradePageSchema,
  tradesQuerySchema,
  tradingDeadLetterListSchema,
} from "@softchat/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";
import { auditActorOf } from "../../platform/audit/index.js";
import { actorOf, authenticate } from "../../platform/auth/guard.js";
import type { App } from "../../platform/http/app-type.js";
import { idempotencyKeyOf, sendIdempotent } from "../../platform/idempotency/index.js";
import { tradingDeadLetters } from "./dead-letters.js";
import { acceptOrder } from "./intake.js";
import { listCandles, listTrades, orderbookSnapshot, pairTicker } from "./market.js";
import type { Trading } from "./runtime.js";
import { cancelOrder, getOrder, myOrders } from "./service.js";

const tags = ["trading"];

/** The trading routes (API.md "Trading"): thin; the service and the market queries decide. */
export function registerTradingRoutes(app: App, trading: Trading): void {
  const { ctx } = trading;
  const auth = authenticate(ctx.tokens);

  // POST /api/trading/place-order is the same route under its older name.
  for (const path of ["/api/trading/orders", "/api/trading/place-order"]) {
    app.post(
      path,
      { schema: { body: placeOrderBodySchema, response: { 202: orderReplySchema }, tags }, preHandler: auth },
      async (request, reply) => {
        const result = await acceptOrder(trading, {
          actor: actorOf(request),
          audit: auditActorOf(request),
          body: request.body,
          key: idempotencyKeyOf(request),
        });
        return sendIdempotent(reply, result);
      },
    );
    app.get(
      path,
      {
        schema: { querystring: orderListQuerySchema, response: { 200: orderPageSchema }, tags },
        preHandler: auth,
      },
      async (request) => myOrders(trading, actorOf(request), request.query),
    );
  }

  app.get(
    "/api/trading/orders/:orderId",
    { schema: { params: orderParamsSchema, response: { 200: orderReplySchema }, tags }, preHandler: auth },
    async (request) => ({ order: await getOrder(trading, actorOf(request), request.params.orderId) }),
  );

  const cancel = async (request: FastifyRequest, reply: FastifyReply, orderId: string) => {
    const result = await cancelOrder(trading, actorOf(request), auditActorOf(request), orderId);
    return reply.status(result.status).send({ order: result.order });
  };
  app.put(
    "/api/trading/orders/:orderId",
    {
      schema: {
        params: orderParamsSchema,
        body: orderActionBodySchema,
        response: { 200: orderReplySchema, 202: orderReplySchema },
        tags,
      },
      preHandler: auth,
    },
    (request, reply) => cancel(request, reply, request.params.orderId),
  );
  app.delete(
    "/api/trading/orders/:orderId",
    {
      schema: { params: orderParamsSchema, response: { 200: orderReplySchema, 202: orderReplySchema }, tags },
      preHandler: auth,
    },
    (request, reply) => cancel(request, reply, request.params.orderId),
  );

  app.get(
    "/api/trading/trades/:pairId",
    {
      schema: {
        params: pairParamsSchema,
        querystring: tradesQuerySchema,
        response: { 200: tradePageSchema },
        tags,
      },
    },
    async (request) => listTrades(trading, request.params.pairId, request.query),
  );

  app.get(
    "/api/trading/candles/:pairId",
    {
      schema: {
        params: pairParamsSchema,
        querystring: candlesQuerySchema,
        response: { 200: candleListSchema },
        tags,
      },
    },
    async (request) => {
      const { pairId } = request.params;
      const { interval, limit } = request.query;
      return { pairId, interval, items: await listCandles(trading, pairId, interval, limit) };
    },
  );

  app.get(
    "/api/trading/ticker/:pairId",
    { schema: { params: pairParamsSchema, response: { 200: ticker24hSchema }, tags } },
    async (request) => pairTicker(trading, request.params.pairId),
  );

  app.get(
    "/api/crypto/orderbook/:pairId",
    { schema: { params: pairParamsSchema, response: { 200: orderbookSnapshotSchema }, tags } },
    async (request) => orderbookSnapshot(trading, request.params.pairId),
  );

  app.get(
    "/api/admin/trading/dead-letters",
    { schema: { response: { 200: tradingDeadLetterListSchema }, tags: ["admin"] }, preHandler: auth },
    async (request) => ({ items: await tradingDeadLetters(trading, actorOf(request)) }),
  );
}
