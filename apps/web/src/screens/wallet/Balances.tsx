import type { Balance } from "@softchat/contracts";
import { formatAmount } from "../../lib/money.js";

/** Balances per asset: what can be spent now, what is held, and the total. Updated live. */
export function Balances({ balances, isLoading }: { balances: Balance[]; isLoading: boolean }) {
  if (isLoading) return <p className="muted">Loading balances…</p>;
  const shown = balances.filter((b) => !/^0*(\.0*)?$/.test(b.total));
  return (
    <div className="table-scroll">
      <table className="balances" data-testid="balances">
        <caption className="visually-hidden">Your balances</caption>
        <thead>
          <tr>
            <th scope="col">Asset</th>
            <th scope="col">Available</th>
            <th scope="col">Pending</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                Your wallet is empty. Make a deposit to get started.
              </td>
            </tr>
          )}
          {shown.map((b) => (
            <tr key={b.asset} data-testid="balance-row" data-asset={b.asset}>
              <th scope="row">{b.asset}</th>
              <td className="num" data-testid="available">
                {formatAmount(b.available, b.asset)}
              </td>
              <td className="num">{formatAmount(b.pending, b.asset)}</td>
              <td className="num">{formatAmount(b.total, b.asset)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
