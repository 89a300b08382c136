import type { WalletTransaction } from "@softchat/contracts";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { queryKeys } from "../../app/query-keys.js";
import { formatAmount, WALLET_ASSETS } from "../../lib/money.js";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const TYPE_LABEL: Record<WalletTransaction["type"], string> = {
  transfer: "Transfer",
  deposit: "Deposit",
  withdrawal: "Withdrawal",
  fee: "Fee",
  trade: "Trade",
  escrow: "Escrow",
  reward: "Reward",
  tip: "Tip",
  adjustment: "Adjustment",
};

/** The wallet's history, newest first, filterable by asset, with more pages on request. */
export function History() {
  const [asset, setAsset] = useState("");
  const filterId = useId();
  const history = useInfiniteQuery({
    queryKey: queryKeys.transactions(asset),
    queryFn: ({ pageParam }) =>
      client.wallet.transactions({ limit: 25, cursor: pageParam, ...(asset ? { asset } : {}) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="history-title" className="history">
      <div className="section-head">
        <h2 id="history-title">History</h2>
        <div className="inline-field">
          <label htmlFor={filterId}>Asset</label>
          <select id={filterId} value={asset} onChange={(e) => setAsset(e.target.value)}>
            <option value="">All</option>
            {WALLET_ASSETS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
      </div>
      {history.error && (
        <p className="form-error" role="alert">
          {describeError(history.error)}
        </p>
      )}
      {history.isLoading && <p className="muted">Loading history…</p>}
      {!history.isLoading && items.length === 0 && <p className="muted">No transactions yet.</p>}
      <ul className="list" data-testid="history">
        {items.map((tx) => (
          <li key={tx.id} className="history-row" data-testid="history-row">
            <div>
              <div className="history-type">
                {TYPE_LABEL[tx.type]} {tx.direction === "in" ? "received" : "sent"}
                {tx.status !== "completed" && <span className="status-pill">{tx.status}</span>}
              </div>
              <div className="muted small">
                <time dateTime={tx.createdAt}>{dateFormat.format(new Date(tx.createdAt))}</time>
                {tx.note && <> · {tx.note}</>}
              </div>
            </div>
            <div className={tx.direction === "in" ? "amount in" : "amount out"}>
              {tx.direction === "in" ? "+" : "−"}
              {formatAmount(tx.amount, tx.asset)} {tx.asset}
            </div>
          </li>
        ))}
      </ul>
      {history.hasNextPage && (
        <button
          type="button"
          className="button secondary"
          onClick={() => void history.fetchNextPage()}
          disabled={history.isFetchingNextPage}
        >
          {history.isFetchingNextPage ? "Loading…" : "Show older"}
        </button>
      )}
    </section>
  );
}
