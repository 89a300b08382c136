import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { queryKeys } from "../../app/query-keys.js";
import { Balances } from "./Balances.js";
import { DepositForm } from "./DepositForm.js";
import { History } from "./History.js";
import { TransferForm } from "./TransferForm.js";
import { useWalletLive } from "./use-wallet-live.js";
import { WithdrawForm } from "./WithdrawForm.js";
import "./wallet.css";
import { useTitle } from "../../app/use-title.js";

const ACTIONS = [
  { id: "send", label: "Send" },
  { id: "deposit", label: "Deposit" },
  { id: "withdraw", label: "Withdraw" },
] as const;
type Action = (typeof ACTIONS)[number]["id"];

/** The wallet: live balances, send / deposit / withdraw, and the history. */
export default function WalletScreen() {
  useTitle("Wallet");
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Action>("send");
  // Money screens always ask the server: no cached balance is shown as current.
  const balances = useQuery({
    queryKey: queryKeys.balances,
    queryFn: () => client.wallet.balance(),
    staleTime: 0,
  });
  useWalletLive();

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["wallet"] });
  };

  return (
    <div className="page wallet">
      <h1>Wallet</h1>
      <div className="wallet-grid">
        <section className="card" aria-labelledby="balances-title">
          <h2 id="balances-title">Balances</h2>
          {balances.error && (
            <p className="form-error" role="alert">
              {describeError(balances.error)}
            </p>
          )}
          <Balances balances={balances.data ?? []} isLoading={balances.isLoading} />
        </section>
        <section className="card" aria-labelledby="move-title">
          <h2 id="move-title">Move money</h2>
          <fieldset className="segmented">
            <legend className="visually-hidden">What to do</legend>
            {ACTIONS.map((a) => (
              <button
                key={a.id}
                type="button"
                className="segment"
                aria-pressed={action === a.id}
                onClick={() => setAction(a.id)}
              >
                {a.label}
              </button>
            ))}
          </fieldset>
          {action === "send" && <TransferForm onDone={refresh} />}
          {action === "deposit" && <DepositForm onDone={refresh} />}
          {action === "withdraw" && <WithdrawForm onDone={refresh} />}
        </section>
      </div>
      <History />
    </div>
  );
}
