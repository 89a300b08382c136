import type { Notification } from "@softchat/contracts";

/** Pop-ups for high and critical notifications. Critical ones are alerts (announced at once) and stay. */
export function Toasts({ toasts, onDismiss }: { toasts: Notification[]; onDismiss: (id: string) => void }) {
  return (
    <section className="toasts" aria-label="Alerts">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className="toast"
          data-priority={toast.priority}
          data-testid="toast"
          role={toast.priority === "critical" ? "alert" : "status"}
        >
          <div className="toast-body">
            <div className="toast-title">{toast.title}</div>
            {toast.body && <div>{toast.body}</div>}
          </div>
          <button
            type="button"
            className="button secondary small"
            onClick={() => onDismiss(toast.id)}
            aria-label={`Dismiss: ${toast.title}`}
          >
            ✕
          </button>
        </div>
      ))}
    </section>
  );
}
