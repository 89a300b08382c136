import type { RoomMember } from "@softchat/contracts";
import { PresenceDot } from "./PresenceDot.js";

interface Props {
  members: RoomMember[];
  myId: string;
  onMessage: (userId: string) => void;
  busyUserId: string | null;
}

/** Who is in the room, online first, each with a presence dot and a button to message them directly. */
export function MembersPanel({ members, myId, onMessage, busyUserId }: Props) {
  const rank = { online: 0, away: 1, offline: 2 } as const;
  const sorted = [...members].sort(
    (a, b) => rank[a.presence.status] - rank[b.presence.status] || a.username.localeCompare(b.username),
  );
  return (
    <section className="members-panel" aria-label="Members">
      <h2 className="panel-title">Members ({members.length})</h2>
      <ul className="list">
        {sorted.map((member) => (
          <li key={member.userId} className="member" data-testid="member" data-username={member.username}>
            <PresenceDot status={member.presence.status} />
            <span className="member-name">
              {member.username}
              {member.userId === myId && <span className="muted"> (you)</span>}
            </span>
            {member.userId !== myId && (
              <button
                type="button"
                className="button secondary small"
                onClick={() => onMessage(member.userId)}
                disabled={busyUserId === member.userId}
                aria-label={`Message ${member.username} directly`}
              >
                Message
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
