import type {
  Candle,
  CandleInterval,
  OrderbookSnapshot,
  OrderListQuery,
  Page,
  PlaceOrderBody,
  PriceQuote,
  Ticker24h,
  Trade,
  TradingOrder,
  TradingPair,
} from "@softchat/contracts";
import type { HttpTransport } from "../http/transport.js";
import { idempotencyHeaders } from "../ids.js";

const enc = encodeURIComponent;

/** Market data is public: sent with the token when signed in, and readable when not. */
const PUBLIC = { auth: "optional" } as const;

/** Pairs, market data, prices and orders (`/api/crypto/*`, `/api/trading/*`). */
export class TradingApi {
  constructor(private readonly http: HttpTransport) {}

  /** Every pair with its tick and lot size, fees, last price and 24 h change. */
  async pairs(): Promise<TradingPair[]> {
    return (await this.http.request<{ items: TradingPair[] }>("GET", "/api/crypto/trading/pairs", PUBLIC))
      .items;
  }

  async pair(pairId: string): Promise<TradingPair> {
    const path = `/api/crypto/trading/pairs/${enc(pairId)}`;
    return (await this.http.request<{ pair: TradingPair }>("GET", path, PUBLIC)).pair;
  }

  /** The book now, with the `seq` its live updates continue from. */
  orderbook(pairId: string): Promise<OrderbookSnapshot> {
    return this.http.request<OrderbookSnapshot>("GET", `/api/crypto/orderbook/${enc(pairId)}`, PUBLIC);
  }

  /** The published USD price of an asset, its sources and whether it is stale. */
  prices(symbol: string): Promise<PriceQuote> {
    return this.http.request<PriceQuote>("GET", `/api/crypto/prices/${enc(symbol)}`, PUBLIC);
  }

  /** Places an order (accepted with 202; fills arrive as `order_update`). */
  async placeOrder(body: PlaceOrderBody, options: { idempotencyKey?: string } = {}): Promise<TradingOrder> {
    const reply = await this.http.request<{ order: TradingOrder }>("POST", "/api/trading/orders", {
      body,
      headers: idempotencyHeaders(options),
    });
    return reply.order;
  }

  /** My orders, filtered by status and pair. */
  orders(query: Partial<OrderListQuery> = {}): Promise<Page<TradingOrder>> {
    return this.http.request<Page<TradingOrder>>("GET", "/api/trading/orders", { query: { ...query } });
  }

  async order(orderId: string): Promise<TradingOrder> {
    return (await this.http.request<{ order: TradingOrder }>("GET", `/api/trading/orders/${enc(orderId)}`))
      .order;
  }

  /** Cancels an open order; resolves with the order as it stands after. */
  async cancel(orderId: string): Promise<TradingOrder> {
    return (await this.http.request<{ order: TradingOrder }>("DELETE", `/api/trading/orders/${enc(orderId)}`))
      .order;
  }

  /** Recent trades of a pair, newest first. */
  trades(pairId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<Trade>> {
    return this.http.request<Page<Trade>>("GET", `/api/trading/trades/${enc(pairId)}`, {
      query: { ...query },
    });
  }

  /** OHLCV bars of a pair. */
  async candles(
    pairId: string,
    query: { interval?: CandleInterval; limit?: number } = {},
  ): Promise<Candle[]> {
    const path = `/api/trading/candles/${enc(pairId)}`;
    return (await this.http.request<{ items: Candle[] }>("GET", path, { ...PUBLIC, query: { ...query } }))
      .items;
  }

  /** Rolling 24 h statistics of a pair. */
  ticker(pairId: string): Promise<Ticker24h> {
    return this.http.request<Ticker24h>("GET", `/api/trading/ticker/${enc(pairId)}`, PUBLIC);
  }
}
