import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { client } from "../../api/client.js";
import { describeError, isClientError } from "../../api/errors.js";
import { Field } from "../../components/Field.js";
import { checkAmountInput, formatMoney } from "../../lib/money.js";
import { AssetSelect } from "./AmountFields.js";
import { useAttemptKey } from "./use-attempt-key.js";

/** Adds money through the sandbox provider, which completes at once (no real payment is taken). */
export function DepositForm({ onDone }: { onDone: () => void }) {
  const [asset, setAsset] = useState("USD");
  const [amount, setAmount] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | null>(null);
  const attempt = useAttemptKey(`${asset}:${amount}`);

  const deposit = useMutation({
    mutationFn: (value: string) =>
      client.wallet.deposit(
        { asset, amount: value, provider: "sandbox" },
        { idempotencyKey: attempt.keyFor() },
      ),
    // A refusal is final for this attempt: trying again (after topping up, say) is a new operation.
    onError: (err) => {
      if (isClientError(err)) attempt.done();
    },
    onSuccess: (result) => {
      attempt.done();
      setAmount("");
      setDone(
        result.status === "completed"
          ? `Deposited ${formatMoney(result.amount, result.asset)}.`
          : `Deposit of ${formatMoney(result.amount, result.asset)} started; it shows once the provider confirms.`,
      );
      onDone();
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const check = checkAmountInput(amount, asset);
    setError(check.ok ? undefined : check.message);
    setDone(null);
    if (check.ok) deposit.mutate(check.value);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Deposit">
      <p className="muted">Sandbox deposits complete at once; no real money is involved.</p>
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {deposit.error && (
        <p className="form-error" role="alert">
          {describeError(deposit.error)}
        </p>
      )}
      <div className="field-row">
        <AssetSelect value={asset} onChange={setAsset} />
        <Field
          label="Amount"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          error={error}
        />
      </div>
      <button type="submit" className="button" disabled={deposit.isPending}>
        {deposit.isPending ? "Depositing…" : "Deposit"}
      </button>
    </form>
  );
}
