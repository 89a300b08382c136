import type { Trade } from "@softchat/contracts";
import { formatAmount } from "../../lib/money.js";

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** The latest trades of the pair, newest first; the taker's side says which way the price was pushed. */
export function TradesTape({
  trades,
  quoteAsset,
  isLoading,
}: {
  trades: Trade[];
  quoteAsset: string;
  isLoading: boolean;
}) {
  if (isLoading) return <p className="muted">Loading trades…</p>;
  if (trades.length === 0) return <p className="muted">No trades yet.</p>;
  return (
    <table className="tape" data-testid="trades-tape">
      <caption className="visually-hidden">Recent trades</caption>
      <thead>
        <tr>
          <th scope="col">Price</th>
          <th scope="col">Size</th>
          <th scope="col">Time</th>
        </tr>
      </thead>
      <tbody>
        {trades.map((t) => (
          <tr key={t.id} className={t.takerSide === "buy" ? "bid" : "ask"} data-testid="trade">
            <td className="num price">
              {formatAmount(t.price, quoteAsset)}
              <span className="visually-hidden">{t.takerSide === "buy" ? " (buy)" : " (sell)"}</span>
            </td>
            <td className="num">{t.quantity}</td>
            <td className="num muted">
              <time dateTime={t.createdAt}>{timeFormat.format(new Date(t.createdAt))}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
