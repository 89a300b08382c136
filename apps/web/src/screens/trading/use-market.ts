import type { Trade, TradingPair } from "@softchat/contracts";
import type { OrderBookView } from "@softchat/sdk";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { client } from "../../api/client.js";
import { useSocketEvent } from "../../app/hooks.js";
import { useThrottledState } from "./use-throttled.js";

const TAPE_LENGTH = 40;

const PAIRS_KEY = ["trading", "pairs"] as const;

/** Every pair with its rules and last price. */
export function usePairs() {
  return useQuery({ queryKey: PAIRS_KEY, queryFn: () => client.trading.pairs(), staleTime: 60_000 });
}

/**
 * Keeps the pair's reference price (the published USD price of its base asset) live from `price_update`,
 * written into the pairs list so the header and the portfolio follow it.
 */
export function useLivePrice(pair: TradingPair) {
  const queryClient = useQueryClient();
  const symbol = pair.quoteAsset === "USD" ? pair.baseAsset : null;
  useEffect(() => {
    if (!symbol) return;
    client.realtime.subscribePrices([symbol]).catch(() => {});
    return () => {
      client.realtime.unsubscribePrices([symbol]).catch(() => {});
    };
  }, [symbol]);
  useSocketEvent("price_update", (update) => {
    if (update.symbol !== symbol) return;
    queryClient.setQueryData<TradingPair[]>(PAIRS_KEY, (pairs) =>
      pairs?.map((p) =>
        p.baseAsset === update.symbol && p.quoteAsset === "USD"
          ? { ...p, lastPrice: update.price, change24h: update.change }
          : p,
      ),
    );
  });
}

/**
 * The pair's live order book from the SDK (snapshot, then deltas in `seq` order, refetched after a gap),
 * repainted at most ten times a second.
 */
export function useOrderBook(pairId: string) {
  const [book, push] = useThrottledState<OrderBookView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let off: (() => void) | undefined;
    let closed = false;
    setError(null);
    push(null);
    client.realtime.joinTradingRoom(pairId).then(
      (live) => {
        if (closed) return;
        push(live.view());
        off = live.onChange(push);
      },
      (err) => setError(err),
    );
    return () => {
      closed = true;
      off?.();
    };
  }, [pairId, push]);
  return { book, error };
}

/** Recent trades of the pair, newest first: the REST page, then each live `trade` on top. */
export function useTradeTape(pairId: string) {
  const initial = useQuery({
    queryKey: ["trading", "trades", pairId],
    queryFn: () => client.trading.trades(pairId, { limit: TAPE_LENGTH }),
  });
  const [live, push] = useThrottledState<Trade[]>([]);
  const received = useRef<Trade[]>([]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new pair starts a new tape
  useEffect(() => {
    received.current = [];
    push([]);
  }, [pairId, push]);

  useSocketEvent("trade", (event) => {
    if (event.pairId !== pairId) return;
    // The server sends the contract's Trade; the socket map types it loosely (extra fields allowed).
    const trade = event as unknown as Trade;
    received.current = [trade, ...received.current].slice(0, TAPE_LENGTH);
    push(received.current);
  });

  const seen = new Set(live.map((t) => t.id));
  const trades = [...live, ...(initial.data?.items ?? []).filter((t) => !seen.has(t.id))].slice(
    0,
    TAPE_LENGTH,
  );
  return { trades, isLoading: initial.isLoading };
}

/** The pair whose id is given, once the list is loaded. */
export function findPair(pairs: TradingPair[] | undefined, pairId: string): TradingPair | undefined {
  return pairs?.find((p) => p.pairId === pairId);
}
