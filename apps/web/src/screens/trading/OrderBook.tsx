import { type BookLevel, compareDecimal, type OrderBookView } from "@softchat/sdk";
import { add, percentOf } from "../../lib/decimal.js";
import { formatAmount } from "../../lib/money.js";

const DEPTH = 12;

/** Levels with the running total from the best price outward, for the depth bars. */
function withDepth(levels: BookLevel[]): Array<{ price: string; quantity: string; total: string }> {
  let total = "0";
  const scale = Math.max(0, ...levels.map(([, q]) => q.split(".")[1]?.length ?? 0));
  return levels.slice(0, DEPTH).map(([price, quantity]) => {
    total = add(total, quantity, scale);
    return { price, quantity, total };
  });
}

interface Props {
  book: OrderBookView | null;
  baseAsset: string;
  quoteAsset: string;
  onPickPrice: (price: string) => void;
}

/** The live book: asks above, bids below, each level's depth drawn as a bar; a click copies the price. */
export function OrderBook({ book, baseAsset, quoteAsset, onPickPrice }: Props) {
  if (!book) return <p className="muted">Loading the order book…</p>;
  const asks = withDepth(book.asks);
  const bids = withDepth(book.bids);
  const deepestAsk = asks.at(-1)?.total ?? "0";
  const deepestBid = bids.at(-1)?.total ?? "0";
  const max = compareDecimal(deepestAsk, deepestBid) >= 0 ? deepestAsk : deepestBid;
  const row = (side: "ask" | "bid") => (level: { price: string; quantity: string; total: string }) => (
    <tr key={`${side}-${level.price}`} className={side} data-testid={`book-${side}`}>
      <td className="num price">
        <button
          type="button"
          className="price-button"
          onClick={() => onPickPrice(level.price)}
          aria-label={`Use price ${level.price}`}
        >
          {formatAmount(level.price, quoteAsset)}
        </button>
      </td>
      <td className="num">{level.quantity}</td>
      <td className="num depth-cell">
        <span className="depth-bar" style={{ width: `${percentOf(level.total, max)}%` }} aria-hidden="true" />
        <span className="depth-value">{level.total}</span>
      </td>
    </tr>
  );
  return (
    <div className="book" data-testid="order-book" data-seq={book.seq}>
      <table>
        <caption className="visually-hidden">
          Order book: asks (sell orders) then bids (buy orders), best prices nearest the middle
        </caption>
        <thead>
          <tr>
            <th scope="col">Price ({quoteAsset})</th>
            <th scope="col">Size ({baseAsset})</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody className="asks">{[...asks].reverse().map(row("ask"))}</tbody>
        <tbody>
          <tr className="spread">
            <td colSpan={3}>
              {book.asks.length === 0 && book.bids.length === 0 ? "No orders yet" : "Spread"}
            </td>
          </tr>
        </tbody>
        <tbody className="bids">{bids.map(row("bid"))}</tbody>
      </table>
    </div>
  );
}
