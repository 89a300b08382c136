import { z } from "zod";
import { decimalStringSchema, pageSchema, paginationQuerySchema, uuidSchema } from "./common.js";
import { orderbookLevelSchema, pairIdSchema } from "./realtime.js";

// Trading pairs, market data and price feeds. Prices, quantities and amounts are decimal strings.

/** A signed decimal string, e.g. a change of "-1.25". */
export const signedDecimalStringSchema = z
  .string()
  .max(60)
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "-1.25"');

export const pairParamsSchema = z.object({ pairId: pairIdSchema });

/** A trading pair with its trading rules and, when known, its last price and 24 h change. */
export const tradingPairSchema = z.object({
  /** `BASE-QUOTE`, e.g. `BTC-USD`. */
  pairId: z.string(),
  /** Display form, e.g. `BTC/USD`. */
  symbol: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  /** Prices are whole multiples of this (quote per one base unit). */
  tickSize: decimalStringSchema,
  /** Quantities are whole multiples of this (base). */
  lotSize: decimalStringSchema,
  /** Smallest price × quantity accepted (quote). */
  minNotional: decimalStringSchema,
  /** Fee of the resting side of a fill, in basis points of its value (100 = 1%). */
  makerFeeBps: z.number().int(),
  /** Fee of the incoming side of a fill, in basis points of its value. */
  takerFeeBps: z.number().int(),
  /** Fixed fee charged on every fill on top of the percentage, in the quote asset. */
  fixedFee: decimalStringSchema,
  /** Last price in the quote asset, or null when no price is known yet. */
  lastPrice: decimalStringSchema.nullable(),
  /** 24 h change in percent ("-1.25"), or null when unknown. */
  change24h: signedDecimalStringSchema.nullable(),
});
export type TradingPair = z.infer<typeof tradingPairSchema>;
export const tradingPairListSchema = z.object({ items: z.array(tradingPairSchema) });
export const tradingPairReplySchema = z.object({ pair: tradingPairSchema });

/** `GET /api/crypto/orderbook/:pairId` and the reply of `join_trading_room`: bids high to low, asks low to high. */
export const orderbookSnapshotSchema = z.object({
  pairId: z.string(),
  seq: z.number().int(),
  bids: z.array(orderbookLevelSchema),
  asks: z.array(orderbookLevelSchema),
});
export type OrderbookSnapshot = z.infer<typeof orderbookSnapshotSchema>;

export const CANDLE_INTERVALS = ["1m", "5m", "1h", "1d"] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

export const candlesQuerySchema = z.object({
  interval: z.enum(CANDLE_INTERVALS).default("1m"),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type CandlesQuery = z.infer<typeof candlesQuerySchema>;

/** One OHLCV bar built from trades; `openTime` is the start of its interval (UTC). */
export const candleSchema = z.object({
  openTime: z.string(),
  open: decimalStringSchema,
  high: decimalStringSchema,
  low: decimalStringSchema,
  close: decimalStringSchema,
  /** Base traded. */
  volume: decimalStringSchema,
  /** Quote traded (Σ price × quantity). */
  quoteVolume: decimalStringSchema,
  trades: z.number().int(),
});
export type Candle = z.infer<typeof candleSchema>;
export const candleListSchema = z.object({
  pairId: z.string(),
  interval: z.enum(CANDLE_INTERVALS),
  items: z.array(candleSchema),
});

/** Rolling 24 h statistics of a pair, from its trades. Null prices: no trade in the window. */
export const ticker24hSchema = z.object({
  pairId: z.string(),
  last: decimalStringSchema.nullable(),
  open: decimalStringSchema.nullable(),
  high: decimalStringSchema.nullable(),
  low: decimalStringSchema.nullable(),
  /** last − open, in the quote asset. */
  change: signedDecimalStringSchema.nullable(),
  /** (last − open) / open in percent, two decimals. */
  changePercent: signedDecimalStringSchema.nullable(),
  volume: decimalStringSchema,
  quoteVolume: decimalStringSchema,
  trades: z.number().int(),
});
export type Ticker24h = z.infer<typeof ticker24hSchema>;

/** A trade on a pair: the `trade` socket event and the items of `GET /api/trading/trades/:pairId`. */
export const tradeSchema = z.object({
  id: z.string(),
  pairId: z.string(),
  price: decimalStringSchema,
  quantity: decimalStringSchema,
  /** The side of the incoming (taker) order. */
  takerSide: z.enum(["buy", "sell"]),
  createdAt: z.string(),
});
export type Trade = z.infer<typeof tradeSchema>;

export const ORDER_SIDES = ["buy", "sell"] as const;
export const ORDER_TYPES = ["limit", "market"] as const;
export const TIME_IN_FORCE = ["GTC", "IOC", "FOK"] as const;
export const ORDER_STATUSES = [
  "new",
  "partially_filled",
  "filled",
  "canceled",
  "rejected",
  "expired",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * `POST /api/trading/orders` (+ `Idempotency-Key`): price is required for limit orders and refused for market
 * orders. Answered 202 with the order once it is accepted and funded; the pair's engine fills it afterwards
 * (`order_update`). Funding: a buy holds its cost at its limit price (a market buy: at the best ask moved by
 * the protection band) plus the higher fee rate and the fixed fee of up to 10 fills; a sell holds its base
 * quantity. Fees are in the quote asset: the maker or taker rate plus the pair's fixed fee per fill, paid on
 * top by a buyer and taken from a seller's proceeds. Refusals: 400 `validation_failed` (unknown pair, off the
 * tick or lot, under the minimum notional), 422 `insufficient_funds`, `account_frozen`, `kyc_limit_exceeded`
 * (the order's USD value is over the 24-hour limit of the user's KYC level: $100, $1,000, $10,000),
 * `order_rejected` (a market order with nothing to trade against).
 */
export const placeOrderBodySchema = z
  .object({
    pairId: pairIdSchema,
    side: z.enum(ORDER_SIDES),
    type: z.enum(ORDER_TYPES),
    price: decimalStringSchema.optional(),
    quantity: decimalStringSchema,
    timeInForce: z.enum(TIME_IN_FORCE).optional(),
    postOnly: z.boolean().optional(),
  })
  .refine((b) => (b.type === "limit") === (b.price !== undefined), {
    message: "limit orders need a price; market orders take none",
    path: ["price"],
  })
  .refine((b) => b.type === "limit" || (b.postOnly !== true && b.timeInForce === undefined), {
    message: "postOnly and timeInForce apply to limit orders only",
    path: ["type"],
  });
export type PlaceOrderBody = z.infer<typeof placeOrderBodySchema>;

export const orderSchema = z.object({
  id: uuidSchema,
  pairId: z.string(),
  side: z.enum(ORDER_SIDES),
  type: z.enum(ORDER_TYPES),
  price: decimalStringSchema.nullable(),
  quantity: decimalStringSchema,
  filledQuantity: decimalStringSchema,
  averagePrice: decimalStringSchema.nullable(),
  fee: decimalStringSchema,
  status: z.enum(ORDER_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TradingOrder = z.infer<typeof orderSchema>;
export const orderReplySchema = z.object({ order: orderSchema });
export const orderParamsSchema = z.object({ orderId: uuidSchema });
export const orderPageSchema = pageSchema(orderSchema);

/** `GET /api/trading/orders`: my orders, newest first, filtered by status and pair. */
export const orderListQuerySchema = paginationQuerySchema.extend({
  status: z.enum(ORDER_STATUSES).optional(),
  pairId: pairIdSchema.optional(),
});
export type OrderListQuery = z.infer<typeof orderListQuerySchema>;

/** `PUT /api/trading/orders/:orderId`: the one action is `cancel` (same as DELETE). */
export const orderActionBodySchema = z.object({ action: z.literal("cancel") });

/** `GET /api/trading/trades/:pairId`: newest first. */
export const tradesQuerySchema = paginationQuerySchema;
export const tradePageSchema = pageSchema(tradeSchema);

/**
 * `GET /api/admin/trading/dead-letters` (admin): orders whose processing kept failing and was parked (their
 * funds stay held until an admin or the owner cancels them), and order-queue jobs that ran out of retries.
 */
export const tradingDeadLetterSchema = z.object({
  kind: z.enum(["order", "job"]),
  /** The order id, or the job id. */
  id: z.string(),
  pairId: z.string().nullable(),
  userId: z.string().nullable(),
  attempts: z.number().int(),
  error: z.string(),
  failedAt: z.string(),
  /** What the order still holds, or null for a job. */
  held: z.object({ asset: z.string(), amount: decimalStringSchema }).nullable(),
});
export type TradingDeadLetter = z.infer<typeof tradingDeadLetterSchema>;
export const tradingDeadLetterListSchema = z.object({ items: z.array(tradingDeadLetterSchema) });

/** A price symbol: an asset code such as `BTC` (prices are in USD). */
export const priceSymbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,10}$/, "must be an asset symbol such as BTC");
export const priceParamsSchema = z.object({ symbol: priceSymbolSchema });

/** `GET /api/crypto/prices/:symbol`: the published USD price and where it came from. */
export const priceQuoteSchema = z.object({
  symbol: z.string(),
  /** USD per one unit. */
  price: decimalStringSchema,
  /** 24 h change in percent ("-1.25"). */
  change24h: signedDecimalStringSchema,
  /** Sources that agreed on this price (`coingecko`, `coinmarketcap`, `binance`, `simulated`). */
  sources: z.array(z.string()),
  /** True when too few sources were fresh and in agreement: this is the last good price. */
  stale: z.boolean(),
  updatedAt: z.string(),
});
export type PriceQuote = z.infer<typeof priceQuoteSchema>;
