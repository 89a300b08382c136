import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { client } from "../../api/client.js";
import { describeError, isClientError } from "../../api/errors.js";
import { Field } from "../../components/Field.js";
import { checkAmountInput, formatMoney } from "../../lib/money.js";
import { AssetSelect } from "./AmountFields.js";
import { useAttemptKey } from "./use-attempt-key.js";

/**
 * Withdrawing: fill in, review, confirm. The amount is held (shown as pending) until the provider
 * confirms the payout; the confirmation carries one Idempotency-Key per attempt.
 */
export function WithdrawForm({ onDone }: { onDone: () => void }) {
  const [asset, setAsset] = useState("USD");
  const [amount, setAmount] = useState("");
  const [destination, setDestination] = useState("");
  const [errors, setErrors] = useState<{ amount?: string; destination?: string }>({});
  const [review, setReview] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const attempt = useAttemptKey(`${asset}:${amount}:${destination}`);

  const withdraw = useMutation({
    mutationFn: (value: string) =>
      client.wallet.withdraw(
        { asset, amount: value, destination: destination.trim() },
        { idempotencyKey: attempt.keyFor() },
      ),
    // A refusal is final for this attempt: trying again (after topping up, say) is a new operation.
    onError: (err) => {
      if (isClientError(err)) attempt.done();
    },
    onSuccess: (result) => {
      attempt.done();
      setReview(null);
      setAmount("");
      setDone(
        `Withdrawal of ${formatMoney(result.amount, result.asset)} requested; it is held until it is paid out.`,
      );
      onDone();
    },
  });

  const toReview = (event: FormEvent) => {
    event.preventDefault();
    const check = checkAmountInput(amount, asset);
    const next = {
      ...(check.ok ? {} : { amount: check.message }),
      ...(destination.trim() ? {} : { destination: "Enter where the money should go" }),
    };
    setErrors(next);
    setDone(null);
    if (check.ok && destination.trim()) {
      withdraw.reset();
      setReview(check.value);
    }
  };

  if (review) {
    return (
      <section className="confirm" aria-labelledby="withdraw-confirm-title">
        <h3 id="withdraw-confirm-title">Confirm the withdrawal</h3>
        <p className="confirm-amount">
          Withdraw <strong>{formatMoney(review, asset)}</strong> to <strong>{destination.trim()}</strong>
        </p>
        {withdraw.error && (
          <p className="form-error" role="alert">
            {describeError(withdraw.error)}
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => withdraw.mutate(review)}
            disabled={withdraw.isPending}
          >
            {withdraw.isPending ? "Requesting…" : "Confirm withdrawal"}
          </button>
          <button
            type="button"
            className="button secondary"
            onClick={() => setReview(null)}
            disabled={withdraw.isPending}
          >
            Back
          </button>
        </div>
      </section>
    );
  }

  return (
    <form onSubmit={toReview} noValidate aria-label="Withdraw">
      {done && (
        <p className="notice" role="status">
          {done}
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
          error={errors.amount}
        />
      </div>
      <Field
        label="Destination"
        hint="A crypto address or a bank reference"
        autoComplete="off"
        maxLength={200}
        value={destination}
        onChange={(e) => setDestination(e.target.value)}
        error={errors.destination}
      />
      <button type="submit" className="button">
        Review withdrawal
      </button>
    </form>
  );
}
