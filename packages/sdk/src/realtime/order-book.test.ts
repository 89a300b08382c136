import type { OrderbookUpdateEvent } from "@softchat/contracts";
import { describe, expect, it } from "vitest";
import { compareDecimal } from "./decimal.js";
import { LiveOrderBook, type OrderBookSource } from "./live-order-book.js";
import { OrderBookMirror } from "./order-book.js";

const book = (seq: number, bids: [string, string][] = [], asks: [string, string][] = []) => ({
  pairId: "BTC-USD",
  seq,
  bids,
  asks,
});

/** A stand-in for the socket and REST: the test decides what the server says and when. */
class ScriptedSource implements OrderBookSource {
  private handler: ((u: OrderbookUpdateEvent) => void) | null = null;
  snapshots: OrderbookUpdateEvent[] = [];
  fetches = 0;
  joinReply: OrderbookUpdateEvent = book(0);
  private releaseJoin: (() => void) | null = null;
  holdJoin = false;

  async subscribe(): Promise<OrderbookUpdateEvent> {
    if (this.holdJoin) await new Promise<void>((resolve) => (this.releaseJoin = resolve));
    return this.joinReply;
  }
  async unsubscribe(): Promise<void> {}
  async fetchSnapshot(): Promise<OrderbookUpdateEvent> {
    this.fetches++;
    const next = this.snapshots.shift();
    if (!next) throw new Error("no snapshot scripted");
    return next;
  }
  onUpdate(handler: (u: OrderbookUpdateEvent) => void): () => void {
    this.handler = handler;
    return () => {
      this.handler = null;
    };
  }
  push(update: OrderbookUpdateEvent): void {
    this.handler?.(update);
  }
  release(): void {
    this.releaseJoin?.();
  }
}

describe("order book mirror", () => {
  it("orders bids high to low and asks low to high by exact decimal value", () => {
    const mirror = new OrderBookMirror("BTC-USD");
    mirror.applySnapshot(
      book(
        1,
        [
          ["9.5", "1"],
          ["10.25", "2"],
          ["100", "1"],
        ],
        [
          ["101.5", "1"],
          ["101.05", "3"],
        ],
      ),
    );
    const view = mirror.view();
    expect(view.bids.map(([p]) => p)).toEqual(["100", "10.25", "9.5"]);
    expect(view.asks.map(([p]) => p)).toEqual(["101.05", "101.5"]);
  });

  it("applies the next seq, ignores old ones, and reports a gap", () => {
    const mirror = new OrderBookMirror("BTC-USD");
    expect(mirror.applyDelta(book(1))).toBe("no_snapshot");
    mirror.applySnapshot(book(5, [["10", "1"]]));
    expect(mirror.applyDelta(book(5, [["10", "9"]]))).toBe("stale");
    expect(mirror.applyDelta(book(6, [["10", "0.000"]], [["11", "2"]]))).toBe("applied");
    expect(mirror.view()).toEqual({ pairId: "BTC-USD", seq: 6, bids: [], asks: [["11", "2"]] });
    expect(mirror.applyDelta(book(8))).toBe("gap");
    expect(mirror.currentSeq).toBe(6);
  });

  it("compares decimals exactly, including long fractions floats would round", () => {
    expect(compareDecimal("0.30000000000000000001", "0.3")).toBe(1);
    expect(compareDecimal("007.10", "7.1")).toBe(0);
    expect(compareDecimal("99.999", "100")).toBe(-1);
  });
});

describe("live order book", () => {
  it("refetches the snapshot over REST when a seq is missing, then replays what came after it", async () => {
    const source = new ScriptedSource();
    source.joinReply = book(10, [["100", "1"]], [["101", "1"]]);
    const live = new LiveOrderBook("BTC-USD", source);
    await live.start();
    source.push(book(11, [["100", "2"]]));
    expect(live.view().bids).toEqual([["100", "2"]]);

    // seq 12 is lost; 13 and 14 arrive. The REST snapshot is at 13, so only 14 must be replayed on top.
    source.snapshots.push(book(13, [["100", "5"]], [["101", "1"]]));
    source.push(book(13, [["100", "4"]]));
    source.push(book(14, [["99", "7"]]));
    await expect.poll(() => live.view().seq).toBe(14);
    expect(source.fetches).toBe(1);
    expect(live.resyncCount).toBe(1);
    expect(live.view().bids).toEqual([
      ["100", "5"],
      ["99", "7"],
    ]);
  });

  it("keeps updates that arrive before the join snapshot and applies only those after it", async () => {
    const source = new ScriptedSource();
    source.holdJoin = true;
    source.joinReply = book(20, [["50", "1"]]);
    const live = new LiveOrderBook("BTC-USD", source);
    const started = live.start();
    await Promise.resolve();
    source.push(book(20, [["50", "999"]]));
    source.push(book(21, [["51", "1"]]));
    source.release();
    await started;
    expect(live.view()).toEqual({
      pairId: "BTC-USD",
      seq: 21,
      bids: [
        ["51", "1"],
        ["50", "1"],
      ],
      asks: [],
    });
    expect(source.fetches).toBe(0);
  });

  it("tells listeners about every change and ignores other pairs", async () => {
    const source = new ScriptedSource();
    source.joinReply = book(1);
    const live = new LiveOrderBook("BTC-USD", source);
    const seen: number[] = [];
    live.onChange((view) => seen.push(view.seq));
    await live.start();
    source.push({ ...book(2), pairId: "ETH-USD" });
    source.push(book(2, [], [["5", "1"]]));
    expect(seen).toEqual([1, 2]);
    await live.close();
    source.push(book(3));
    expect(seen).toEqual([1, 2]);
  });
});
