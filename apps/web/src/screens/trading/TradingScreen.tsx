import { CANDLE_INTERVALS, type CandleInterval, type TradingPair } from "@softchat/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { describeError } from "../../api/errors.js";
import { useSocketEvent } from "../../app/hooks.js";
import { formatAmount } from "../../lib/money.js";
import { CandleChart } from "./CandleChart.js";
import { MyOrders } from "./MyOrders.js";
import { OrderBook } from "./OrderBook.js";
import { OrderForm } from "./OrderForm.js";
import { Portfolio } from "./Portfolio.js";
import { TradesTape } from "./TradesTape.js";
import { findPair, useLivePrice, useOrderBook, usePairs, useTradeTape } from "./use-market.js";
import "./trading.css";
import { useTitle } from "../../app/use-title.js";

/**
 * The trading board: pair selector, candles, live order book with depth, trades tape, order form with fee
 * preview, my orders with cancel, and the portfolio with P&L. Loaded only when opened (it brings the
 * charting library).
 */
export default function TradingScreen() {
  useTitle("Trading");
  const [params, setParams] = useSearchParams();
  const pairs = usePairs();
  const pairId = params.get("pair") ?? pairs.data?.[0]?.pairId ?? "";
  const pair = findPair(pairs.data, pairId);
  const selectId = useId();
  const intervalId = useId();
  const [interval, setCandleInterval] = useState<CandleInterval>("1m");

  if (pairs.error) {
    return (
      <div className="page">
        <h1>Trading</h1>
        <p className="form-error" role="alert">
          {describeError(pairs.error)}
        </p>
      </div>
    );
  }
  if (!pair) {
    return (
      <div className="page">
        <h1>Trading</h1>
        <p className="muted">{pairs.isLoading ? "Loading markets…" : "No markets are open."}</p>
      </div>
    );
  }

  return (
    <div className="page trading">
      <div className="trading-head">
        <h1>Trading</h1>
        <div className="inline-field">
          <label htmlFor={selectId}>Market</label>
          <select id={selectId} value={pair.pairId} onChange={(e) => setParams({ pair: e.target.value })}>
            {pairs.data?.map((p) => (
              <option key={p.pairId} value={p.pairId}>
                {p.symbol}
              </option>
            ))}
          </select>
        </div>
        <div className="ticker" aria-live="off">
          <span className="ticker-price" data-testid="last-price">
            {pair.lastPrice ? formatAmount(pair.lastPrice, pair.quoteAsset) : "—"} {pair.quoteAsset}
          </span>
          {pair.change24h && (
            <span className={pair.change24h.startsWith("-") ? "ask" : "bid"}>
              {pair.change24h.startsWith("-") ? "" : "+"}
              {pair.change24h}% 24h
            </span>
          )}
        </div>
      </div>
      <Board
        key={pair.pairId}
        pair={pair}
        interval={interval}
        intervalId={intervalId}
        setCandleInterval={setCandleInterval}
      />
    </div>
  );
}

interface BoardProps {
  pair: TradingPair;
  interval: CandleInterval;
  intervalId: string;
  setCandleInterval: (interval: CandleInterval) => void;
}

function Board({ pair, interval, intervalId, setCandleInterval }: BoardProps) {
  const queryClient = useQueryClient();
  const pairId = pair.pairId;
  const { book, error: bookError } = useOrderBook(pairId);
  const tape = useTradeTape(pairId);
  const [pickedPrice, setPickedPrice] = useState<string | null>(null);
  useLivePrice(pair);
  // A fill changes balances: the portfolio and the order form's hints follow.
  useSocketEvent("order_update", () => void queryClient.invalidateQueries({ queryKey: ["wallet"] }));
  return (
    <div className="trading-grid">
      <section className="card chart-card" aria-labelledby="chart-title">
        <div className="section-head">
          <h2 id="chart-title">{pair.symbol}</h2>
          <div className="inline-field">
            <label htmlFor={intervalId}>Candles</label>
            <select
              id={intervalId}
              value={interval}
              onChange={(e) => setCandleInterval(e.target.value as CandleInterval)}
            >
              {CANDLE_INTERVALS.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </div>
        </div>
        <CandleChart pairId={pairId} symbol={pair.symbol} interval={interval} lastTrade={tape.trades[0]} />
      </section>
      <section className="card book-card" aria-labelledby="book-title">
        <h2 id="book-title">Order book</h2>
        {bookError ? (
          <p className="form-error" role="alert">
            {describeError(bookError)}
          </p>
        ) : (
          <OrderBook
            book={book}
            baseAsset={pair.baseAsset}
            quoteAsset={pair.quoteAsset}
            onPickPrice={setPickedPrice}
          />
        )}
      </section>
      <section className="card form-card" aria-labelledby="order-title">
        <h2 id="order-title">New order</h2>
        <OrderForm
          pair={pair}
          bestBid={book?.bids[0]?.[0] ?? null}
          bestAsk={book?.asks[0]?.[0] ?? null}
          pickedPrice={pickedPrice}
        />
      </section>
      <section className="card tape-card" aria-labelledby="tape-title">
        <h2 id="tape-title">Trades</h2>
        <TradesTape trades={tape.trades} quoteAsset={pair.quoteAsset} isLoading={tape.isLoading} />
      </section>
      <section className="card orders-card" aria-labelledby="orders-title">
        <h2 id="orders-title">My orders</h2>
        <MyOrders pair={pair} />
      </section>
      <section className="card portfolio-card" aria-labelledby="portfolio-title">
        <h2 id="portfolio-title">Portfolio</h2>
        <Portfolio />
      </section>
    </div>
  );
}
