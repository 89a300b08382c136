import type { PresenceStatus } from "@softchat/contracts";

const LABEL: Record<PresenceStatus, string> = { online: "online", away: "away", offline: "offline" };

/** A coloured dot with its status as text for screen readers (colour alone carries no meaning). */
export function PresenceDot({ status }: { status: PresenceStatus }) {
  return (
    <span className="presence" data-testid="presence" data-status={status}>
      <span className="presence-dot" data-status={status} aria-hidden="true" />
      <span className="visually-hidden">{LABEL[status]}</span>
    </span>
  );
}
