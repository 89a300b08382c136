import type { OrderbookUpdateEvent } from "@softchat/contracts";
import { Listeners } from "./listeners.js";
import { OrderBookMirror, type OrderBookView } from "./order-book.js";

/** Where a live order book gets its data: the socket for the snapshot and deltas, REST after a gap. */
export interface OrderBookSource {
  /** Subscribes to the pair (join_trading_room); resolves with the snapshot the server replied with. */
  subscribe(pairId: string): Promise<OrderbookUpdateEvent>;
  unsubscribe(pairId: string): Promise<void>;
  /** GET /api/crypto/orderbook/:pairId. */
  fetchSnapshot(pairId: string): Promise<OrderbookUpdateEvent>;
  /** Every `orderbook_update`, whatever the pair. Returns the unsubscribe function. */
  onUpdate(handler: (update: OrderbookUpdateEvent) => void): () => void;
}

/** Deltas kept while a snapshot is being fetched; beyond this the oldest are dropped (a gap, refetched). */
const MAX_BUFFERED = 2000;

/**
 * One pair's order book kept current from the socket: the snapshot from join_trading_room, then deltas in
 * `seq` order. A missing `seq` means an update was lost, so the book refetches the snapshot over REST and
 * replays the deltas that arrived meanwhile. Listeners see a consistent book after every change.
 */
export class LiveOrderBook {
  private readonly mirror: OrderBookMirror;
  private readonly changes = new Listeners<[OrderBookView]>();
  private buffer: OrderbookUpdateEvent[] = [];
  private syncing: Promise<void> | null = null;
  private unsubscribeUpdates: (() => void) | null = null;
  private closed = false;
  /** How many times a gap forced a new snapshot (for tests and diagnostics). */
  resyncCount = 0;

  constructor(
    readonly pairId: string,
    private readonly source: OrderBookSource,
  ) {
    this.mirror = new OrderBookMirror(pairId);
  }

  /** Subscribes and loads the snapshot. Deltas that beat the snapshot are buffered, not lost. */
  async start(): Promise<OrderBookView> {
    this.unsubscribeUpdates ??= this.source.onUpdate((update) => this.handleUpdate(update));
    await this.sync(() => this.source.subscribe(this.pairId));
    return this.view();
  }

  /** Subscribes again after a reconnect the server could not recover; deltas may have been missed. */
  resubscribe(): Promise<void> {
    return this.sync(() => this.source.subscribe(this.pairId));
  }

  view(): OrderBookView {
    return this.mirror.view();
  }

  /** Called with the book after every change. Returns the unsubscribe function. */
  onChange(listener: (book: OrderBookView) => void): () => void {
    return this.changes.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeUpdates?.();
    this.changes.clear();
    await this.source.unsubscribe(this.pairId).catch(() => {});
  }

  private handleUpdate(update: OrderbookUpdateEvent): void {
    if (this.closed || update.pairId !== this.pairId) return;
    if (this.syncing) {
      this.buffer.push(update);
      if (this.buffer.length > MAX_BUFFERED) this.buffer.shift();
      return;
    }
    const outcome = this.mirror.applyDelta(update);
    if (outcome === "applied") this.changes.emit(this.mirror.view());
    else if (outcome === "gap" || outcome === "no_snapshot") {
      this.buffer.push(update);
      this.resyncCount++;
      void this.sync(() => this.source.fetchSnapshot(this.pairId)).catch(() => {});
    }
  }

  /** Loads a snapshot with `load`, then replays buffered deltas; repeats while a gap remains. */
  private sync(load: () => Promise<OrderbookUpdateEvent>): Promise<void> {
    this.syncing ??= (async () => {
      try {
        let snapshot = await load();
        for (let attempt = 0; ; attempt++) {
          if (this.closed) return;
          this.mirror.applySnapshot(snapshot);
          if (this.replayBuffer() || attempt >= 3) break;
          this.resyncCount++;
          snapshot = await this.source.fetchSnapshot(this.pairId);
        }
        this.changes.emit(this.mirror.view());
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  /** Applies buffered deltas in seq order; false when one of them is still ahead of the book (a gap). */
  private replayBuffer(): boolean {
    const pending = this.buffer.sort((a, b) => a.seq - b.seq);
    this.buffer = [];
    for (const [index, update] of pending.entries()) {
      if (this.mirror.applyDelta(update) === "gap") {
        this.buffer = pending.slice(index);
        return false;
      }
    }
    return true;
  }
}
