import type { EngineEvent } from "../engine/types.js";
import type { OrderbookDepth, OrderbookUpdate } from "./orderbook-depth.js";

/**
 * Paces a pair's order book updates to at most `maxPerSecond`: changes that arrive sooner are coalesced
 * into the next update, whose levels carry their latest absolute quantities, so `seq` stays consecutive
 * across what is actually sent. Pure: the caller passes the clock and arms a timer for `nextFlushAt`.
 */
export class OrderbookUpdateThrottle {
  private readonly minIntervalMs: number;
  private lastEmitAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly depth: OrderbookDepth,
    maxPerSecond = 10,
  ) {
    if (!Number.isInteger(maxPerSecond) || maxPerSecond < 1) throw new RangeError("maxPerSecond must be ≥ 1");
    this.minIntervalMs = Math.ceil(1000 / maxPerSecond);
  }

  /** Applies events; returns the update to send now, or null when it must wait (see `nextFlushAt`). */
  apply(events: readonly EngineEvent[], nowMs: number): OrderbookUpdate | null {
    this.depth.apply(events);
    return this.flush(nowMs);
  }

  /** The pending update if the interval since the last one has passed, else null. */
  flush(nowMs: number): OrderbookUpdate | null {
    if (!this.depth.hasChanges || nowMs - this.lastEmitAt < this.minIntervalMs) return null;
    this.lastEmitAt = nowMs;
    return this.depth.takeUpdate();
  }

  /** When the pending changes may go out, or null when nothing is pending. */
  nextFlushAt(): number | null {
    return this.depth.hasChanges ? this.lastEmitAt + this.minIntervalMs : null;
  }
}
