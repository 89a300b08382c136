import type { AmlFlag, AmlFlagStatus, Page } from "@softchat/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const RULE_LABEL: Record<AmlFlag["rule"], string> = {
  large_transaction: "Large transaction",
  structuring: "Possible structuring",
  velocity: "Unusual velocity",
  rapid_in_out: "Rapid in and out",
  fan_out: "Fan-out to many accounts",
};

/** The AML review queue: flags raised by the monitoring rules, to resolve, dismiss, or act on. */
export function AmlQueue({ onManageUser }: { onManageUser: (userId: string) => void }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<AmlFlagStatus>("open");
  const statusId = useId();
  const flags = useQuery({
    queryKey: ["admin", "aml", status],
    queryFn: () =>
      client.request<Page<AmlFlag>>("GET", "/api/admin/aml/flags", { query: { status, limit: 50 } }),
  });
  const act = useMutation({
    mutationFn: ({ flag, action }: { flag: AmlFlag; action: "resolved" | "dismissed" | "freeze" }) =>
      action === "freeze"
        ? client.request("POST", `/api/admin/aml/flags/${flag.id}/freeze`)
        : client.request("POST", `/api/admin/aml/flags/${flag.id}/resolve`, { body: { status: action } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["admin", "aml"] }),
  });

  return (
    <section className="card" aria-labelledby="aml-title">
      <div className="section-head">
        <h2 id="aml-title">AML review queue</h2>
        <div className="inline-field">
          <label htmlFor={statusId}>Show</label>
          <select id={statusId} value={status} onChange={(e) => setStatus(e.target.value as AmlFlagStatus)}>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
            <option value="dismissed">Dismissed</option>
          </select>
        </div>
      </div>
      {(flags.error || act.error) && (
        <p className="form-error" role="alert">
          {describeError(flags.error ?? act.error)}
        </p>
      )}
      {flags.isLoading && <p className="muted">Loading…</p>}
      {flags.data?.items.length === 0 && <p className="muted">No {status} flags.</p>}
      <ul className="list">
        {flags.data?.items.map((flag) => (
          <li key={flag.id} className="aml-flag" data-severity={flag.severity}>
            <div>
              <strong>{RULE_LABEL[flag.rule]}</strong> <span className="status-pill">{flag.severity}</span>
              <div className="muted small">
                User <code>{flag.userId}</code> ·{" "}
                <time dateTime={flag.triggeredAt}>{dateFormat.format(new Date(flag.triggeredAt))}</time>
              </div>
              {flag.note && <div className="small user-text">Note: {flag.note}</div>}
            </div>
            <div className="actions">
              <button
                type="button"
                className="button secondary small"
                onClick={() => onManageUser(flag.userId)}
              >
                Manage user
              </button>
              {flag.status === "open" && (
                <>
                  <button
                    type="button"
                    className="button secondary small"
                    disabled={act.isPending}
                    onClick={() => act.mutate({ flag, action: "resolved" })}
                  >
                    Resolve
                  </button>
                  <button
                    type="button"
                    className="button secondary small"
                    disabled={act.isPending}
                    onClick={() => act.mutate({ flag, action: "dismissed" })}
                  >
                    Dismiss
                  </button>
                  <button
                    type="button"
                    className="button danger small"
                    disabled={act.isPending}
                    onClick={() => act.mutate({ flag, action: "freeze" })}
                  >
                    Freeze user
                  </button>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
