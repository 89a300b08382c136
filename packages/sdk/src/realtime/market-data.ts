import type { OrderbookUpdateEvent } from "@softchat/contracts";
import { LiveOrderBook } from "./live-order-book.js";
import type { SocketLink } from "./socket-link.js";

export interface MarketDataDeps {
  link: SocketLink;
  whenConnected(): Promise<void>;
  fetchOrderBook(pairId: string): Promise<OrderbookUpdateEvent>;
  onOrderBookUpdate(handler: (update: OrderbookUpdateEvent) => void): () => void;
}

/** The trading rooms and price subscriptions of one realtime client, renewed after an unrecovered reconnect. */
export class MarketData {
  private readonly books = new Map<string, Promise<LiveOrderBook>>();
  private readonly symbols = new Set<string>();

  constructor(private readonly deps: MarketDataDeps) {}

  /** A live order book for the pair (shared by callers until `close()`); resolves once the snapshot is in. */
  joinTradingRoom(pairId: string): Promise<LiveOrderBook> {
    let book = this.books.get(pairId);
    if (!book) {
      const live = new LiveOrderBook(pairId, {
        subscribe: async (id) => {
          await this.deps.whenConnected();
          return this.deps.link.emitAck("join_trading_room", { pairId: id });
        },
        unsubscribe: async (id) => {
          this.books.delete(id);
          if (this.deps.link.connected) await this.deps.link.emitAck("leave_trading_room", { pairId: id });
        },
        fetchSnapshot: (id) => this.deps.fetchOrderBook(id),
        onUpdate: (handler) => this.deps.onOrderBookUpdate(handler),
      });
      book = live.start().then(() => live);
      book.catch(() => this.books.delete(pairId));
      this.books.set(pairId, book);
    }
    return book;
  }

  /** Live `price_update` events for these symbols. */
  async subscribePrices(symbols: string[]): Promise<void> {
    for (const symbol of symbols) this.symbols.add(symbol);
    await this.deps.whenConnected();
    await this.deps.link.emitAck("subscribe_prices", { symbols });
  }

  async unsubscribePrices(symbols: string[]): Promise<void> {
    for (const symbol of symbols) this.symbols.delete(symbol);
    if (this.deps.link.connected) await this.deps.link.emitAck("unsubscribe_prices", { symbols });
  }

  /** After a reconnect the server did not recover: subscribe again and take fresh snapshots. */
  renew(): void {
    for (const book of this.books.values()) {
      void book.then((live) => live.resubscribe()).catch(() => {});
    }
    if (this.symbols.size > 0) {
      void this.deps.link.emitAck("subscribe_prices", { symbols: [...this.symbols] }).catch(() => {});
    }
  }

  clear(): void {
    for (const book of this.books.values()) void book.then((live) => live.close()).catch(() => {});
    this.books.clear();
    this.symbols.clear();
  }
}
