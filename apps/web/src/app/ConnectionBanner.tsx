import type { ConnectionState } from "@softchat/sdk";
import { useConnectionState } from "./hooks.js";

const TEXT: Partial<Record<ConnectionState, string>> = {
  connecting: "Connecting…",
  reconnecting: "Connection lost. Reconnecting… Messages you send are kept and delivered when it is back.",
  polling: "The live connection is down; Softchat is checking for news every few seconds.",
  offline: "You are offline. Messages you send are kept and delivered when you are back online.",
};

/**
 * Says how live the screen is. Nothing is shown while connected; the status region is always present so
 * screen readers announce each change. `data-state` carries the machine-readable state.
 */
export function ConnectionBanner() {
  const state = useConnectionState();
  const text = TEXT[state];
  return (
    <div
      className={text ? "connection-banner" : "visually-hidden"}
      role="status"
      aria-live="polite"
      data-testid="connection-banner"
      data-state={state}
    >
      {text ?? (state === "connected" ? "Connected" : "")}
    </div>
  );
}
