import type { Portfolio as PortfolioData } from "@softchat/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { useOnResync, useSocketEvent } from "../../app/hooks.js";
import { formatAmount } from "../../lib/money.js";

const PORTFOLIO_KEY = ["trading", "portfolio"] as const;

function Signed({ value }: { value: string }) {
  const negative = value.startsWith("-");
  const zero = !/[1-9]/.test(value);
  return (
    <span className={zero ? "" : negative ? "ask" : "bid"}>
      {negative || zero ? "" : "+"}
      {formatAmount(value, "USD")}
    </span>
  );
}

/**
 * What I hold, valued in USD, with the server's FIFO cost basis and P&L (the portfolio service decides
 * them); replaced live by `portfolio_update` whenever holdings or prices change.
 */
export function Portfolio() {
  const queryClient = useQueryClient();
  const portfolio = useQuery({
    queryKey: PORTFOLIO_KEY,
    queryFn: () => client.request<PortfolioData>("GET", "/api/trading/portfolio"),
  });
  useSocketEvent("portfolio_update", (update) => queryClient.setQueryData(PORTFOLIO_KEY, update));
  useOnResync((info) => {
    if (info.via === "reconnect") void queryClient.invalidateQueries({ queryKey: PORTFOLIO_KEY });
  });

  if (portfolio.error) {
    return (
      <p className="form-error" role="alert">
        {describeError(portfolio.error)}
      </p>
    );
  }
  if (!portfolio.data) return <p className="muted">Loading your portfolio…</p>;
  const { holdings, totals } = portfolio.data;
  const shown = holdings.filter((h) => /[1-9]/.test(h.quantity) || /[1-9]/.test(h.realizedPnl));
  return (
    <div className="table-scroll">
      <table className="portfolio" data-testid="portfolio">
        <caption className="visually-hidden">Portfolio valued in USD, with profit and loss</caption>
        <thead>
          <tr>
            <th scope="col">Asset</th>
            <th scope="col">Holding</th>
            <th scope="col">Value (USD)</th>
            <th scope="col">
              <abbr title="Unrealized profit and loss, USD">P&amp;L</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                Nothing held yet.
              </td>
            </tr>
          )}
          {shown.map((h) => (
            <tr key={h.asset} data-asset={h.asset}>
              <th scope="row">{h.asset}</th>
              <td className="num">{formatAmount(h.quantity, h.asset)}</td>
              <td className="num">{formatAmount(h.marketValue, "USD")}</td>
              <td className="num">
                <Signed value={h.unrealizedPnl} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td />
            <td className="num">{formatAmount(totals.marketValue, "USD")}</td>
            <td className="num">
              <Signed value={totals.unrealizedPnl} />
            </td>
          </tr>
        </tfoot>
      </table>
      <p className="muted small">
        Realized so far: <Signed value={totals.realizedPnl} /> USD. Costs are matched first in, first out,
        fees included.
      </p>
    </div>
  );
}
