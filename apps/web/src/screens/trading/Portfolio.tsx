import type { Balance, TradingOrder, TradingPair } from "@softchat/contracts";
import { useQuery } from "@tanstack/react-query";
import { client } from "../../api/client.js";
import { queryKeys } from "../../app/query-keys.js";
import { add, fromUnits, isDecimal, mulUp, toUnits } from "../../lib/decimal.js";
import { formatAmount, scaleOf } from "../../lib/money.js";
import { unrealizedPnl } from "./order-math.js";

const USD_SCALE = scaleOf("USD") ?? 2;
const ORDERS_CONSIDERED = 200;

/** Average price paid per unit over the buys that filled, or null without any. */
function averageEntry(orders: TradingOrder[], pairId: string): string | null {
  let quantity = 0n;
  let cost = 0n;
  const qScale = 18;
  for (const o of orders) {
    if (o.pairId !== pairId || o.side !== "buy" || !o.averagePrice || !isDecimal(o.filledQuantity)) continue;
    const filled = toUnits(o.filledQuantity, qScale);
    if (filled === 0n) continue;
    quantity += filled;
    cost += filled * toUnits(o.averagePrice, USD_SCALE);
  }
  return quantity === 0n ? null : fromUnits(cost / quantity, USD_SCALE);
}

/** What I hold, valued at each pair's last USD price, with unrealized P&L against my average buy price. */
export function Portfolio({ pairs }: { pairs: TradingPair[] }) {
  const balances = useQuery({
    queryKey: queryKeys.balances,
    queryFn: () => client.wallet.balance(),
    staleTime: 0,
  });
  const orders = useQuery({
    queryKey: ["trading", "orders", "all"],
    queryFn: () => client.trading.orders({ limit: ORDERS_CONSIDERED }),
  });
  const rows = (balances.data ?? [])
    .filter((b: Balance) => /[1-9]/.test(b.total))
    .map((b) => {
      const usdPair = pairs.find((p) => p.baseAsset === b.asset && p.quoteAsset === "USD");
      const price = b.asset === "USD" ? "1" : (usdPair?.lastPrice ?? null);
      const value = price ? mulUp(b.total, price, USD_SCALE) : null;
      const entry = usdPair ? averageEntry(orders.data?.items ?? [], usdPair.pairId) : null;
      const pnl = usdPair ? unrealizedPnl(b.total, entry, usdPair.lastPrice, USD_SCALE) : null;
      return { balance: b, value, pnl };
    });
  const totalValue = rows.reduce((sum, r) => (r.value ? add(sum, r.value, USD_SCALE) : sum), "0");

  if (balances.isLoading) return <p className="muted">Loading your portfolio…</p>;
  return (
    <div className="table-scroll">
      <table className="portfolio" data-testid="portfolio">
        <caption className="visually-hidden">Portfolio valued in USD</caption>
        <thead>
          <tr>
            <th scope="col">Asset</th>
            <th scope="col">Holding</th>
            <th scope="col">Value (USD)</th>
            <th scope="col">
              <abbr title="Unrealized profit and loss">P&amp;L</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ balance, value, pnl }) => (
            <tr key={balance.asset}>
              <th scope="row">{balance.asset}</th>
              <td className="num">{formatAmount(balance.total, balance.asset)}</td>
              <td className="num">{value ? formatAmount(value, "USD") : "—"}</td>
              <td className={`num ${pnl?.startsWith("-") ? "ask" : pnl ? "bid" : ""}`}>
                {pnl ? `${pnl.startsWith("-") ? "" : "+"}${formatAmount(pnl, "USD")}` : "—"}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td />
            <td className="num">{formatAmount(totalValue, "USD")}</td>
            <td />
          </tr>
        </tfoot>
      </table>
      <p className="muted small">
        P&amp;L compares the last price with your average buy price over your latest {ORDERS_CONSIDERED}{" "}
        orders.
      </p>
    </div>
  );
}
