import type {
  Candle,
  CandleInterval,
  OrderbookSnapshot,
  Page,
  PaginationQuery,
  Ticker24h,
  Trade,
} from "@softchat/contracts";
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/errors.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { PairSpec } from "./engine/pairs.js";
import { type CandleBar, INTERVAL_MS, presentCandle } from "./market-data/candles.js";
import { OrderbookDepth } from "./market-data/orderbook-depth.js";
import { ticker24h } from "./market-data/ticker.js";
import { SNAPSHOT_LEVELS, snapshotCacheKey } from "./pipeline/book-publisher.js";
import { presentTrade } from "./presenters.js";
import type { Trading } from "./runtime.js";

/** The pair a market-data request names, or 404. */
export function marketPair(trading: Trading, pairId: string): PairSpec {
  const pair = trading.pairs.get(pairId);
  if (!pair) throw notFound(`Pair ${pairId}`);
  return pair;
}

/**
 * The order book with the `seq` its `orderbook_update` deltas continue from: from the engine itself on the
 * node that runs the pair, from the snapshot that node keeps in the shared cache on the others. Before any
 * engine has published one, it is built from the database with `seq` 0, which any later delta shows to be
 * a gap, so clients fetch again.
 */
export async function orderbookSnapshot(trading: Trading, pairId: string): Promise<OrderbookSnapshot> {
  const pair = marketPair(trading, pairId);
  const local = trading.engines.local(pairId);
  if (local) return local.book.snapshot();
  const cached = await trading.ctx.cache.get<OrderbookSnapshot>(snapshotCacheKey(pairId));
  if (cached) return cached;
  return depthFromDatabase(trading.ctx.db, pair);
}

async function depthFromDatabase(q: Queryable, pair: PairSpec): Promise<OrderbookSnapshot> {
  const { rows } = await q.query<{ side: "buy" | "sell"; price_ticks: string; lots: string }>(
    `SELECT side, price_ticks, sum(quantity_lots - filled_lots)::text AS lots FROM trading_orders
      WHERE pair_id = $1 AND status IN ('new', 'partially_filled') AND seq IS NOT NULL
      GROUP BY side, price_ticks`,
    [pair.pairId],
  );
  const level = (r: (typeof rows)[number]): [number, number] => [Number(r.price_ticks), Number(r.lots)];
  const depth = new OrderbookDepth(pair, {
    bids: rows.filter((r) => r.side === "buy").map(level),
    asks: rows.filter((r) => r.side === "sell").map(level),
    seq: 0,
  });
  return depth.snapshot(SNAPSHOT_LEVELS);
}

/** A pair's trades, newest first. */
export async function listTrades(
  trading: Trading,
  pairId: string,
  query: PaginationQuery,
): Promise<Page<Trade>> {
  const pair = marketPair(trading, pairId);
  const after = query.cursor ? decodeCursor(query.cursor, 3) : null;
  const { rows } = await trading.ctx.db.query<{
    id: string;
    price_ticks: string;
    quantity_lots: string;
    taker_side: "buy" | "sell";
    seq: string;
    fill_index: number;
    created_at: Date | string;
  }>(
    `SELECT id, price_ticks, quantity_lots, taker_side, seq, fill_index, created_at FROM trading_trades
      WHERE pair_id = $1
        AND ($2::timestamptz IS NULL OR (created_at, seq, fill_index) < ($2::timestamptz, $3::bigint, $4::int))
      ORDER BY created_at DESC, seq DESC, fill_index DESC LIMIT $5`,
    [pairId, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) =>
      presentTrade(pair, {
        id: r.id,
        pairId,
        priceTicks: Number(r.price_ticks),
        quantityLots: Number(r.quantity_lots),
        takerSide: r.taker_side,
        createdAt: new Date(r.created_at),
      }),
    ),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor([new Date(last.created_at).toISOString(), last.seq, String(last.fill_index)])
        : null,
  };
}

/** OHLCV candles of a pair from its trades, oldest first: the newest `limit` intervals that had trades. */
export async function listCandles(
  trading: Trading,
  pairId: string,
  interval: CandleInterval,
  limit: number,
): Promise<Candle[]> {
  const pair = marketPair(trading, pairId);
  return (await candleBars(trading, pair, interval, limit)).map((bar) => presentCandle(pair, bar));
}

/** Rolling 24 h statistics of a pair (last, open, high, low, change, volume) from its 1-minute candles. */
export async function pairTicker(trading: Trading, pairId: string): Promise<Ticker24h> {
  const pair = marketPair(trading, pairId);
  return ticker24h(pair, await candleBars(trading, pair, "1m", 1440), Date.now());
}

async function candleBars(trading: Trading, pair: PairSpec, interval: CandleInterval, limit: number) {
  const ms = INTERVAL_MS[interval];
  const since = new Date((Math.floor(Date.now() / ms) - (limit - 1)) * ms);
  const { rows } = await trading.ctx.db.query<{
    open_time: string;
    open: string;
    high: string;
    low: string;
    close: string;
    volume: string;
    quote_volume: string;
    trades: number;
  }>(
    `SELECT (floor(extract(epoch FROM created_at) * 1000 / $2::bigint) * $2::bigint)::bigint AS open_time,
            (array_agg(price_ticks ORDER BY created_at, seq, fill_index))[1] AS open,
            max(price_ticks) AS high, min(price_ticks) AS low,
            (array_agg(price_ticks ORDER BY created_at DESC, seq DESC, fill_index DESC))[1] AS close,
            sum(quantity_lots)::text AS volume, sum(price_ticks::numeric * quantity_lots)::text AS quote_volume,
            count(*)::int AS trades
       FROM trading_trades WHERE pair_id = $1 AND created_at >= $3::timestamptz
      GROUP BY 1 ORDER BY 1 DESC LIMIT $4`,
    [pair.pairId, ms, since, limit],
  );
  return rows.reverse().map(
    (r): CandleBar => ({
      openTime: Number(r.open_time),
      open: Number(r.open),
      high: Number(r.high),
      low: Number(r.low),
      close: Number(r.close),
      volume: BigInt(r.volume),
      quoteVolume: BigInt(r.quote_volume),
      trades: Number(r.trades),
      firstTradeAt: Number(r.open_time),
      lastTradeAt: Number(r.open_time),
    }),
  );
}
