import { type OrderbookSnapshot, socketRooms } from "@softchat/contracts";
import type { AppContext } from "../../../platform/context.js";
import type { PairSpec } from "../engine/pairs.js";
import type { EngineEvent } from "../engine/types.js";
import { OrderbookDepth, type OrderbookUpdate } from "../market-data/orderbook-depth.js";
import { OrderbookUpdateThrottle } from "../market-data/update-throttle.js";

/** Levels per side in a snapshot; deltas beyond them still arrive with absolute quantities. */
export const SNAPSHOT_LEVELS = 1000;
/** How long a published snapshot lives in the shared cache without being refreshed. */
const SNAPSHOT_TTL_MS = 24 * 3_600_000;
/** How often the holder rewrites the snapshot even when nothing changed, so it never expires. */
const REFRESH_EVERY_MS = 60_000;

export function snapshotCacheKey(pairId: string): string {
  return `trading:book:${pairId}`;
}

type PublisherContext = Pick<AppContext, "cache" | "realtime" | "logger">;

/**
 * The live order book of one pair on the node that runs its engine: folds committed engine events into the
 * depth, sends throttled `orderbook_update` deltas (consecutive `seq`, absolute quantities) to the pair's
 * room, and keeps the latest snapshot in the shared cache so every node can answer `GET /orderbook` and
 * `join_trading_room` with a `seq` that the deltas continue from. Each update's snapshot is written before
 * the update is sent, so a client that joined the room and then read the snapshot misses nothing.
 */
export class BookPublisher {
  private readonly depth: OrderbookDepth;
  private readonly throttle: OrderbookUpdateThrottle;
  private timer: NodeJS.Timeout | undefined;
  private refresher: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ctx: PublisherContext,
    readonly pair: PairSpec,
    levels: { bids: Array<[number, number]>; asks: Array<[number, number]> },
    /** The `seq` of the first snapshot; above every update a former holder of the pair may have sent. */
    seq: number,
    maxPerSecond: number,
  ) {
    this.depth = new OrderbookDepth(pair, { ...levels, seq });
    this.throttle = new OrderbookUpdateThrottle(this.depth, maxPerSecond);
    this.enqueue(() => this.storeSnapshot());
    this.refresher = setInterval(() => this.enqueue(() => this.storeSnapshot()), REFRESH_EVERY_MS);
    this.refresher.unref();
  }

  /** Folds events of a committed command in; sends an update now or arms the timer for the next one. */
  apply(events: readonly EngineEvent[]): void {
    if (this.stopped) return;
    const update = this.throttle.apply(events, Date.now());
    if (update) this.publish(update);
    else this.arm();
  }

  /** The book now (it may already hold changes the next update repeats, which is harmless). */
  snapshot(): OrderbookSnapshot {
    return this.depth.snapshot(SNAPSHOT_LEVELS);
  }

  /** Stops sending; waits for the cache writes in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.refresher) clearInterval(this.refresher);
    await this.chain;
  }

  private arm(): void {
    const at = this.throttle.nextFlushAt();
    if (at === null || this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.stopped) return;
        const update = this.throttle.flush(Date.now());
        if (update) this.publish(update);
        else this.arm();
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref();
  }

  private publish(update: OrderbookUpdate): void {
    const snapshot = this.snapshot();
    this.enqueue(async () => {
      await this.ctx.cache.set(snapshotCacheKey(this.pair.pairId), snapshot, SNAPSHOT_TTL_MS);
      this.ctx.realtime.emit(socketRooms.tradingPair(this.pair.pairId), "orderbook_update", update);
    });
  }

  private storeSnapshot(): Promise<void> {
    return this.ctx.cache.set(snapshotCacheKey(this.pair.pairId), this.snapshot(), SNAPSHOT_TTL_MS);
  }

  /** Runs cache writes and sends one after another, so a newer snapshot is never overwritten by an older. */
  private enqueue(fn: () => Promise<void>): void {
    this.chain = this.chain
      .then(fn)
      .catch((err) => this.ctx.logger.warn({ err }, "order book publish failed"));
  }
}
