import type { TradingOrder, TradingPair } from "@softchat/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { useSocketEvent } from "../../app/hooks.js";
import { formatAmount } from "../../lib/money.js";

const OPEN = new Set<TradingOrder["status"]>(["new", "partially_filled"]);
const STATUS_LABEL: Record<TradingOrder["status"], string> = {
  new: "Open",
  partially_filled: "Partly filled",
  filled: "Filled",
  canceled: "Canceled",
  rejected: "Rejected",
  expired: "Expired",
};

/** My orders on the pair: open ones with a cancel button, then the latest finished ones. Live. */
export function MyOrders({ pair }: { pair: TradingPair }) {
  const queryClient = useQueryClient();
  const orders = useQuery({
    queryKey: ["trading", "orders", pair.pairId],
    queryFn: () => client.trading.orders({ pairId: pair.pairId, limit: 50 }),
  });
  useSocketEvent("order_update", () => {
    void queryClient.invalidateQueries({ queryKey: ["trading", "orders"] });
  });
  const cancel = useMutation({
    mutationFn: (orderId: string) => client.trading.cancel(orderId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["trading", "orders"] }),
  });

  const items = orders.data?.items ?? [];
  const open = items.filter((o) => OPEN.has(o.status));
  const done = items.filter((o) => !OPEN.has(o.status)).slice(0, 10);
  const row = (o: TradingOrder) => (
    <tr key={o.id} data-testid="my-order" data-status={o.status}>
      <td className={o.side === "buy" ? "bid" : "ask"}>{o.side === "buy" ? "Buy" : "Sell"}</td>
      <td className="num">{o.price ? formatAmount(o.price, pair.quoteAsset) : "Market"}</td>
      <td className="num">
        {o.filledQuantity} / {o.quantity}
      </td>
      <td>{STATUS_LABEL[o.status]}</td>
      <td>
        {OPEN.has(o.status) && (
          <button
            type="button"
            className="button secondary small"
            onClick={() => cancel.mutate(o.id)}
            disabled={cancel.isPending && cancel.variables === o.id}
            aria-label={`Cancel ${o.side} order for ${o.quantity} ${pair.baseAsset}`}
          >
            Cancel
          </button>
        )}
      </td>
    </tr>
  );
  return (
    <div>
      {(orders.error || cancel.error) && (
        <p className="form-error" role="alert">
          {describeError(orders.error ?? cancel.error)}
        </p>
      )}
      {orders.isLoading && <p className="muted">Loading your orders…</p>}
      {!orders.isLoading && items.length === 0 && <p className="muted">No orders on {pair.symbol} yet.</p>}
      {items.length > 0 && (
        <div className="table-scroll">
          <table className="orders">
            <caption className="visually-hidden">Your orders on {pair.symbol}</caption>
            <thead>
              <tr>
                <th scope="col">Side</th>
                <th scope="col">Price</th>
                <th scope="col">Filled / size</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {open.map(row)}
              {done.map(row)}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
