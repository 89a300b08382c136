import { useId } from "react";
import { WALLET_ASSETS } from "../../lib/money.js";

/** The asset picker every wallet form uses. */
export function AssetSelect({
  value,
  onChange,
  label = "Asset",
}: {
  value: string;
  onChange: (asset: string) => void;
  label?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {WALLET_ASSETS.map((asset) => (
          <option key={asset} value={asset}>
            {asset}
          </option>
        ))}
      </select>
    </div>
  );
}
