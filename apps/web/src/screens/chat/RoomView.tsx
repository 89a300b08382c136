import type { ChatRoomSummary } from "@softchat/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, useSyncExternalStore } from "react";
import { Link, useNavigate } from "react-router-dom";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { useConnectionState } from "../../app/hooks.js";
import { queryKeys } from "../../app/query-keys.js";
import { Composer } from "./Composer.js";
import { MembersPanel } from "./MembersPanel.js";
import { MessageList, type MessageRowData } from "./MessageList.js";
import { outgoing } from "./outgoing.js";
import { PresenceDot } from "./PresenceDot.js";
import { useRoomMembers } from "./use-room-members.js";
import { useRoomMessages } from "./use-room-messages.js";
import { useTypingSender, useTypingUsers } from "./use-typing.js";

function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

/** An open room: header, history, who is typing, the message box, and the member list. */
export function RoomView({ room, myId }: { room: ChatRoomSummary; myId: string }) {
  const navigate = useNavigate();
  // Open beside the conversation on wide screens; on a phone it would cover it, so it starts closed.
  const [showMembers, setShowMembers] = useState(() => window.matchMedia("(min-width: 901px)").matches);
  const history = useRoomMessages(room.id);
  const { members, names } = useRoomMembers(room.id, true);
  const typingIds = useTypingUsers(room.id, myId);
  const typingSender = useTypingSender(room.id);
  const pending = useSyncExternalStore(outgoing.subscribe, outgoing.getSnapshot);
  const connection = useConnectionState();

  const nameOf = (userId: string) => names.get(userId) ?? "Someone";
  const rows = useMemo<MessageRowData[]>(() => {
    const confirmed = history.messages.map((m) => ({
      key: m.id,
      senderId: m.senderId,
      text: m.text,
      createdAt: m.createdAt,
    }));
    const mine = pending
      .filter((p) => p.roomId === room.id)
      .map((p) => ({ key: p.clientId, senderId: myId, text: p.text, createdAt: p.createdAt, pending: p }));
    return [...confirmed, ...mine];
  }, [history.messages, pending, room.id, myId]);

  const queryClient = useQueryClient();
  const dm = useMutation({
    mutationFn: (userId: string) => client.chat.dm(userId),
    onSuccess: async (dmRoom) => {
      // Refetch first, so the new DM is in the list when the screen opens it.
      await queryClient.invalidateQueries({ queryKey: queryKeys.rooms });
      navigate(`/chat/${dmRoom.id}`);
    },
  });
  const openDm = (userId: string) => dm.mutate(userId);

  const peer = room.type === "dm" ? members.find((m) => m.userId === room.peerId) : undefined;
  const typing = typingText(typingIds.map(nameOf));

  return (
    <div className="room" data-testid="room" data-room-id={room.id}>
      <header className="room-header">
        <Link to="/chat" className="button secondary small back-link">
          <span aria-hidden="true">←</span> Rooms
        </Link>
        <h1 className="room-title">
          {peer && <PresenceDot status={peer.presence.status} />} {room.name}
        </h1>
        <span className="muted room-kind">
          {room.type === "dm"
            ? `Direct messages${peer ? `, ${peer.presence.status}` : ""}`
            : `${room.type} room`}
        </span>
        <button
          type="button"
          className="button secondary small"
          aria-expanded={showMembers}
          aria-controls="room-members"
          onClick={() => setShowMembers((v) => !v)}
        >
          Members
        </button>
      </header>
      {dm.error && (
        <p className="form-error" role="alert">
          {describeError(dm.error)}
        </p>
      )}
      <div className="room-body">
        <div className="conversation">
          {history.error ? (
            <p className="form-error" role="alert">
              {describeError(history.error)}
            </p>
          ) : history.isLoading ? (
            <p className="muted" role="status">
              Loading messages…
            </p>
          ) : (
            <MessageList
              rows={rows}
              myId={myId}
              nameOf={nameOf}
              hasOlder={history.hasOlder}
              loadingOlder={history.loadingOlder}
              onLoadOlder={history.loadOlder}
              onRetry={(clientId) => outgoing.retry(clientId)}
              onDiscard={(clientId) => outgoing.discard(clientId)}
              live={connection === "connected" || connection === "polling"}
            />
          )}
          <div className="typing" aria-live="polite" data-testid="typing-indicator">
            {typing}
          </div>
          <Composer
            roomName={room.type === "dm" ? room.name : `#${room.name}`}
            onTyping={typingSender.onInput}
            onSend={(text) => {
              typingSender.stop();
              outgoing.send(room.id, text);
            }}
          />
        </div>
        {showMembers && (
          <div id="room-members" className="room-members">
            <MembersPanel
              members={members}
              myId={myId}
              onMessage={openDm}
              busyUserId={dm.variables ?? null}
            />
          </div>
        )}
      </div>
    </div>
  );
}

/** Shown for a room link I am not a member of yet: public rooms can be joined in one click. */
export function JoinRoom({ roomId }: { roomId: string }) {
  const queryClient = useQueryClient();
  const join = useMutation({
    mutationFn: () => client.chat.join(roomId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.rooms }),
  });
  return (
    <div className="page">
      <div className="card">
        <h1>Join this room?</h1>
        <p>You are not a member of this room yet.</p>
        {join.error && (
          <p className="form-error" role="alert">
            {describeError(join.error)}
          </p>
        )}
        <button type="button" className="button" onClick={() => join.mutate()} disabled={join.isPending}>
          {join.isPending ? "Joining…" : "Join room"}
        </button>{" "}
        <Link to="/chat">Back to my rooms</Link>
      </div>
    </div>
  );
}
