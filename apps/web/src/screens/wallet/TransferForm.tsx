import type { WalletTransfer } from "@softchat/contracts";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { client } from "../../api/client.js";
import { describeError, isClientError } from "../../api/errors.js";
import { Field } from "../../components/Field.js";
import { checkAmountInput, formatMoney } from "../../lib/money.js";
import { AssetSelect } from "./AmountFields.js";
import { useAttemptKey } from "./use-attempt-key.js";

interface Draft {
  to: string;
  asset: string;
  amount: string;
  note: string;
}

/**
 * Sending money: fill in, review, confirm. Nothing moves before the confirmation, and the confirmation
 * carries an Idempotency-Key for this attempt, so a double click or a retry after a timeout sends once.
 */
export function TransferForm({ onDone }: { onDone: (transfer: WalletTransfer) => void }) {
  const [draft, setDraft] = useState<Draft>({ to: "", asset: "USD", amount: "", note: "" });
  const [errors, setErrors] = useState<Partial<Record<keyof Draft, string>>>({});
  const [review, setReview] = useState<{ amount: string } | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const attempt = useAttemptKey(JSON.stringify(draft));

  const send = useMutation({
    mutationFn: (amount: string) =>
      client.wallet.transfer(
        {
          to: draft.to.trim(),
          asset: draft.asset,
          amount,
          ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
        },
        { idempotencyKey: attempt.keyFor() },
      ),
    // A refusal is final for this attempt: trying again (after topping up, say) is a new operation.
    onError: (err) => {
      if (isClientError(err)) attempt.done();
    },
    onSuccess: (transfer) => {
      attempt.done();
      setSent(`Sent ${formatMoney(transfer.amount, transfer.asset)} to ${draft.to.trim()}.`);
      setReview(null);
      setDraft((d) => ({ ...d, amount: "", note: "" }));
      onDone(transfer);
    },
  });

  const set = (field: keyof Draft) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setSent(null);
  };

  const toReview = (event: FormEvent) => {
    event.preventDefault();
    const next: typeof errors = {};
    if (!draft.to.trim()) next.to = "Enter a username";
    const amount = checkAmountInput(draft.amount, draft.asset);
    if (!amount.ok) next.amount = amount.message;
    setErrors(next);
    if (amount.ok && !next.to) {
      send.reset();
      setReview({ amount: amount.value });
    }
  };

  if (review) {
    return (
      <section className="confirm" aria-labelledby="confirm-title" data-testid="transfer-confirm">
        <h3 id="confirm-title">Confirm the transfer</h3>
        <p className="confirm-amount">
          Send <strong>{formatMoney(review.amount, draft.asset)}</strong> to{" "}
          <strong>{draft.to.trim()}</strong>
        </p>
        {draft.note.trim() && <p className="muted">Note: {draft.note.trim()}</p>}
        <p className="muted">Transfers between Softchat users arrive at once and cannot be undone.</p>
        {send.error && (
          <p className="form-error" role="alert" data-testid="transfer-error">
            {describeError(send.error)}
          </p>
        )}
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => send.mutate(review.amount)}
            disabled={send.isPending}
          >
            {send.isPending ? "Sending…" : "Confirm and send"}
          </button>
          <button
            type="button"
            className="button secondary"
            onClick={() => setReview(null)}
            disabled={send.isPending}
          >
            Back
          </button>
        </div>
      </section>
    );
  }

  return (
    <form onSubmit={toReview} noValidate aria-label="Send money">
      {sent && (
        <p className="notice" role="status">
          {sent}
        </p>
      )}
      <Field
        label="Recipient"
        hint="Their username"
        autoComplete="off"
        value={draft.to}
        onChange={(e) => set("to")(e.target.value)}
        error={errors.to}
      />
      <div className="field-row">
        <AssetSelect value={draft.asset} onChange={set("asset")} />
        <Field
          label="Amount"
          inputMode="decimal"
          autoComplete="off"
          value={draft.amount}
          onChange={(e) => set("amount")(e.target.value)}
          error={errors.amount}
        />
      </div>
      <Field
        label="Note (optional)"
        maxLength={280}
        value={draft.note}
        onChange={(e) => set("note")(e.target.value)}
      />
      <button type="submit" className="button">
        Review transfer
      </button>
    </form>
  );
}
