import type { Candle, CandleInterval, Trade } from "@softchat/contracts";
import { useQuery } from "@tanstack/react-query";
import {
  type CandlestickData,
  CandlestickSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";
import { client } from "../../api/client.js";

const INTERVAL_SEC: Record<CandleInterval, number> = { "1m": 60, "5m": 300, "1h": 3600, "1d": 86_400 };

// The chart draws pixels: its prices are converted to numbers here, for display only. Every amount the
// user acts on (order form, fees, balances) stays a decimal string.
function toBar(c: Candle): CandlestickData<UTCTimestamp> {
  return {
    time: Math.floor(Date.parse(c.openTime) / 1000) as UTCTimestamp,
    open: Number(c.open),
    high: Number(c.high),
    low: Number(c.low),
    close: Number(c.close),
  };
}

interface Props {
  pairId: string;
  symbol: string;
  interval: CandleInterval;
  lastTrade: Trade | undefined;
}

/** Candles of the pair (lightweight-charts), extended live with each trade. */
export function CandleChart({ pairId, symbol, interval, lastTrade }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const lastBar = useRef<CandlestickData<UTCTimestamp> | null>(null);
  const candles = useQuery({
    queryKey: ["trading", "candles", pairId, interval],
    queryFn: () => client.trading.candles(pairId, { interval, limit: 200 }),
  });

  useEffect(() => {
    if (!container.current) return;
    const created = createChart(container.current, {
      autoSize: true,
      layout: { background: { color: "#ffffff" }, textColor: "#374151" },
      grid: { vertLines: { color: "#f3f4f6" }, horzLines: { color: "#f3f4f6" } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    series.current = created.addSeries(CandlestickSeries, {
      upColor: "#15803d",
      downColor: "#b91c1c",
      borderVisible: false,
      wickUpColor: "#15803d",
      wickDownColor: "#b91c1c",
    });
    chart.current = created;
    return () => {
      created.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => {
    if (!series.current || !candles.data) return;
    const bars = candles.data.map(toBar);
    series.current.setData(bars);
    lastBar.current = bars.at(-1) ?? null;
    chart.current?.timeScale().fitContent();
  }, [candles.data]);

  useEffect(() => {
    if (!series.current || !lastTrade || lastTrade.pairId !== pairId) return;
    const step = INTERVAL_SEC[interval];
    const time = (Math.floor(Date.parse(lastTrade.createdAt) / 1000 / step) * step) as UTCTimestamp;
    const price = Number(lastTrade.price);
    const prev = lastBar.current;
    if (prev && prev.time > time) return;
    const bar =
      prev && prev.time === time
        ? { ...prev, high: Math.max(prev.high, price), low: Math.min(prev.low, price), close: price }
        : { time, open: price, high: price, low: price, close: price };
    series.current.update(bar);
    lastBar.current = bar;
  }, [lastTrade, pairId, interval]);

  const last = candles.data?.at(-1);
  return (
    <figure className="chart">
      <div
        ref={container}
        className="chart-canvas"
        role="img"
        aria-label={`${symbol} price chart, ${interval} candles${last ? `, last close ${last.close}` : ""}`}
      />
      {candles.data?.length === 0 && !lastTrade && (
        <figcaption className="muted">No trades yet to chart.</figcaption>
      )}
    </figure>
  );
}
