import type { Side } from "./types.js";

/**
 * A resting order. Orders of one price level form a doubly linked FIFO list, so a fill takes the head in
 * O(1) and a cancel unlinks from anywhere in O(1).
 */
export class BookOrder {
  prev: BookOrder | null = null;
  next: BookOrder | null = null;
  constructor(
    readonly id: string,
    readonly owner: string,
    readonly side: Side,
    readonly price: number,
    public remaining: number,
    readonly level: PriceLevel,
  ) {}
}

/** All resting orders at one price, oldest first, with their total quantity in lots. */
export class PriceLevel {
  head: BookOrder | null = null;
  tail: BookOrder | null = null;
  total = 0;
  count = 0;
  constructor(readonly price: number) {}

  append(order: BookOrder): void {
    order.prev = this.tail;
    order.next = null;
    if (this.tail === null) this.head = order;
    else this.tail.next = order;
    this.tail = order;
    this.total += order.remaining;
    this.count += 1;
  }

  /** Unlinks `order`; the caller has already taken what it fills out of `total`. */
  unlink(order: BookOrder): void {
    if (order.prev === null) this.head = order.next;
    else order.prev.next = order.next;
    if (order.next === null) this.tail = order.prev;
    else order.next.prev = order.prev;
    order.prev = null;
    order.next = null;
    this.count -= 1;
  }
}

/**
 * One side of a book: price levels in an array kept sorted with the BEST price LAST (ascending for bids,
 * descending for asks), so taking or emptying the best level is a pop, plus a Map price → level for O(1)
 * lookup. Inserting a new level is a binary search and a splice, which for the few thousand levels a real
 * book has is a short memmove and beats a tree on constant factors.
 */
export class BookSide {
  private readonly sorted: PriceLevel[] = [];
  private readonly byPrice = new Map<number, PriceLevel>();

  constructor(readonly isBid: boolean) {}

  /** The best level, or undefined when the side is empty. */
  best(): PriceLevel | undefined {
    return this.sorted[this.sorted.length - 1];
  }

  /** The level `rank` places from the best (0 is the best). */
  levelAt(rank: number): PriceLevel | undefined {
    return this.sorted[this.sorted.length - 1 - rank];
  }

  get levelCount(): number {
    return this.sorted.length;
  }

  /** Total lots resting at `price` (0 when there is no level). */
  totalAt(price: number): number {
    return this.byPrice.get(price)?.total ?? 0;
  }

  /** The level at `price`, created (and inserted in price order) when missing. */
  levelFor(price: number): PriceLevel {
    const existing = this.byPrice.get(price);
    if (existing !== undefined) return existing;
    const level = new PriceLevel(price);
    this.byPrice.set(price, level);
    const sorted = this.sorted;
    const last = sorted[sorted.length - 1];
    // A new best price is the common case for a tightening book: append without searching.
    if (last === undefined || this.isBetter(price, last.price)) sorted.push(level);
    else sorted.splice(this.insertionIndex(price), 0, level);
    return level;
  }

  /** Up to `limit` levels from the best, as [price ticks, total lots]. */
  levels(limit: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const n = Math.min(limit, this.sorted.length);
    for (let rank = 0; rank < n; rank++) {
      const level = this.levelAt(rank);
      if (level !== undefined) out.push([level.price, level.total]);
    }
    return out;
  }

  /** Removes an empty level from the side. */
  drop(level: PriceLevel): void {
    this.byPrice.delete(level.price);
    const sorted = this.sorted;
    const lastIndex = sorted.length - 1;
    if (sorted[lastIndex] === level) {
      sorted.pop();
      return;
    }
    const index = this.insertionIndex(level.price) - 1;
    if (sorted[index] === level) sorted.splice(index, 1);
  }

  private isBetter(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  /** Index of the first level strictly better than `price` (levels before it are worse or equal). */
  private insertionIndex(price: number): number {
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const level = sorted[mid] as PriceLevel;
      if (this.isBetter(level.price, price)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
