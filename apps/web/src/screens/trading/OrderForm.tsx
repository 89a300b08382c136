import type { TradingPair } from "@softchat/contracts";
import { newId } from "@softchat/sdk";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { client } from "../../api/client.js";
import { describeError, isClientError } from "../../api/errors.js";
import { Field } from "../../components/Field.js";
import { formatMoney } from "../../lib/money.js";
import { type OrderDraft, previewOrder } from "./order-math.js";

interface Props {
  pair: TradingPair;
  bestBid: string | null;
  bestAsk: string | null;
  /** A price picked in the order book, copied into the form. */
  pickedPrice: string | null;
}

/**
 * Buy or sell: limit or market, checked against the pair's tick and lot sizes with a fee preview before
 * anything is sent. One Idempotency-Key per order, kept across retries of that same order.
 */
export function OrderForm({ pair, bestBid, bestAsk, pickedPrice }: Props) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<OrderDraft>({ side: "buy", type: "limit", price: "", quantity: "" });
  const [touched, setTouched] = useState(false);
  const [placed, setPlaced] = useState<string | null>(null);
  const attempt = useRef<{ fingerprint: string; key: string } | null>(null);

  useEffect(() => {
    if (pickedPrice) setDraft((d) => ({ ...d, type: "limit", price: pickedPrice }));
  }, [pickedPrice]);

  const bestOpposite = draft.side === "buy" ? bestAsk : bestBid;
  const preview = previewOrder(pair, draft, bestOpposite);
  const fingerprint = `${pair.pairId}:${JSON.stringify(draft)}`;

  const place = useMutation({
    mutationFn: () => {
      if (attempt.current?.fingerprint !== fingerprint) attempt.current = { fingerprint, key: newId() };
      return client.trading.placeOrder(
        {
          pairId: pair.pairId,
          side: draft.side,
          type: draft.type,
          quantity: draft.quantity.trim(),
          ...(draft.type === "limit" ? { price: draft.price.trim() } : {}),
        },
        { idempotencyKey: attempt.current.key },
      );
    },
    onSuccess: (order) => {
      attempt.current = null;
      setTouched(false);
      setDraft((d) => ({ ...d, quantity: "" }));
      setPlaced(
        `${order.side === "buy" ? "Buy" : "Sell"} order for ${order.quantity} ${pair.baseAsset} placed.`,
      );
      void queryClient.invalidateQueries({ queryKey: ["trading", "orders"] });
      void queryClient.invalidateQueries({ queryKey: ["wallet"] });
    },
    onError: (err) => {
      if (isClientError(err)) attempt.current = null;
    },
  });

  const set = (field: keyof OrderDraft, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setPlaced(null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(preview.errors).length === 0 && preview.notional) place.mutate();
  };

  const shownErrors = touched ? preview.errors : {};
  return (
    <form className="order-form" onSubmit={submit} noValidate aria-label={`Place an order on ${pair.symbol}`}>
      <fieldset className="segmented">
        <legend className="visually-hidden">Side</legend>
        {(["buy", "sell"] as const).map((side) => (
          <button
            key={side}
            type="button"
            className={`segment ${side}`}
            aria-pressed={draft.side === side}
            onClick={() => set("side", side)}
          >
            {side === "buy" ? `Buy ${pair.baseAsset}` : `Sell ${pair.baseAsset}`}
          </button>
        ))}
      </fieldset>
      <fieldset className="segmented">
        <legend className="visually-hidden">Order type</legend>
        {(["limit", "market"] as const).map((type) => (
          <button
            key={type}
            type="button"
            className="segment"
            aria-pressed={draft.type === type}
            onClick={() => set("type", type)}
          >
            {type === "limit" ? "Limit" : "Market"}
          </button>
        ))}
      </fieldset>
      {draft.type === "limit" && (
        <Field
          label={`Price (${pair.quoteAsset})`}
          inputMode="decimal"
          autoComplete="off"
          value={draft.price}
          onChange={(e) => set("price", e.target.value)}
          error={shownErrors.price}
          hint={`Steps of ${pair.tickSize}`}
        />
      )}
      <Field
        label={`Quantity (${pair.baseAsset})`}
        inputMode="decimal"
        autoComplete="off"
        value={draft.quantity}
        onChange={(e) => set("quantity", e.target.value)}
        error={shownErrors.quantity}
        hint={`Steps of ${pair.lotSize}`}
      />
      <dl className="preview" aria-live="polite" data-testid="order-preview">
        <div>
          <dt>{preview.estimated ? "Value (estimate)" : "Value"}</dt>
          <dd>{preview.notional ? formatMoney(preview.notional, pair.quoteAsset) : "—"}</dd>
        </div>
        <div>
          <dt>Fee, at most</dt>
          <dd>{preview.maxFee ? formatMoney(preview.maxFee, pair.quoteAsset) : "—"}</dd>
        </div>
        {draft.side === "buy" && (
          <div>
            <dt>Total, at most</dt>
            <dd>{preview.total ? formatMoney(preview.total, pair.quoteAsset) : "—"}</dd>
          </div>
        )}
      </dl>
      {placed && (
        <p className="notice" role="status">
          {placed}
        </p>
      )}
      {place.error && (
        <p className="form-error" role="alert">
          {describeError(place.error)}
        </p>
      )}
      <button type="submit" className={`button ${draft.side}`} disabled={place.isPending}>
        {place.isPending ? "Placing…" : `${draft.side === "buy" ? "Buy" : "Sell"} ${pair.baseAsset}`}
      </button>
    </form>
  );
}
