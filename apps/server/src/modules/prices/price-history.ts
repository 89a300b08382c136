const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Published prices of one node over the last 24 h, one sample a minute per symbol: the fallback for the
 * 24 h change when no agreeing source reports one (Binance's ticker does not).
 */
export class PriceHistory {
  private readonly samples = new Map<string, Array<{ at: number; price: bigint }>>();

  record(symbol: string, price: bigint, at: number): void {
    const list = this.samples.get(symbol) ?? [];
    const last = list[list.length - 1];
    if (last === undefined || Math.floor(last.at / MINUTE_MS) !== Math.floor(at / MINUTE_MS))
      list.push({ at, price });
    while (list.length > 0 && (list[0]?.at ?? at) < at - DAY_MS) list.shift();
    this.samples.set(symbol, list);
  }

  /** Change of `price` against the oldest sample of the last 24 h, in hundredths of a percent (0 if none). */
  change24h(symbol: string, price: bigint): bigint {
    const oldest = this.samples.get(symbol)?.[0];
    if (oldest === undefined || oldest.price === 0n) return 0n;
    return ((price - oldest.price) * 10_000n) / oldest.price;
  }
}
