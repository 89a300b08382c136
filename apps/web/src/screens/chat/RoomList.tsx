import type { ChatRoomSummary } from "@softchat/contracts";
import { Link } from "react-router-dom";

interface Props {
  rooms: ChatRoomSummary[];
  activeId: string | undefined;
  myId: string;
  isLoading: boolean;
}

function preview(room: ChatRoomSummary, myId: string): string {
  const last = room.lastMessage;
  if (!last) return room.type === "dm" ? "Direct messages" : `${room.memberCount} members`;
  const text = last.text.length > 60 ? `${last.text.slice(0, 60)}…` : last.text;
  return last.senderId === myId ? `You: ${text}` : text;
}

/** My rooms and DMs, most recently active first, each with its unread count. */
export function RoomList({ rooms, activeId, myId, isLoading }: Props) {
  if (isLoading) return <p className="muted">Loading rooms…</p>;
  if (rooms.length === 0) return <p className="muted">You are not in any room yet. Create one below.</p>;
  return (
    <ul className="room-list" aria-label="Your rooms">
      {rooms.map((room) => {
        const unread = room.id === activeId ? 0 : room.unreadCount;
        const label = `${room.type === "dm" ? "Direct message with " : ""}${room.name}${unread > 0 ? `, ${unread} unread` : ""}`;
        return (
          <li key={room.id}>
            <Link
              to={`/chat/${room.id}`}
              className="room-link"
              aria-current={room.id === activeId ? "page" : undefined}
              aria-label={label}
              data-testid="room-link"
              data-room-name={room.name}
            >
              <span className="room-icon" aria-hidden="true">
                {room.type === "dm" ? "@" : room.type === "private" ? "🔒" : "#"}
              </span>
              <span className="room-text">
                <span className="room-name">{room.name}</span>
                <span className="room-preview">{preview(room, myId)}</span>
              </span>
              {unread > 0 && (
                <span className="badge" data-testid="room-unread" aria-hidden="true">
                  {unread > 99 ? "99+" : unread}
                </span>
              )}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
