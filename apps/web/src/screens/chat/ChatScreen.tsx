import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router-dom";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { useUser } from "../../app/hooks.js";
import { queryKeys } from "../../app/query-keys.js";
import { useTitle } from "../../app/use-title.js";
import { NewRoomForm } from "./NewRoomForm.js";
import { PublicRooms } from "./PublicRooms.js";
import { RoomList } from "./RoomList.js";
import { JoinRoom, RoomView } from "./RoomView.js";
import { useChatLive } from "./use-chat-live.js";
import "./chat.css";
import "./room.css";

/**
 * Chat: the room list beside the open room on wide screens; on a phone, the list at /chat and the room
 * alone at /chat/:roomId.
 */
export default function ChatScreen() {
  const { roomId } = useParams();
  const user = useUser();
  const rooms = useQuery({ queryKey: queryKeys.rooms, queryFn: () => client.chat.rooms() });
  useChatLive(roomId, user.id);

  const room = rooms.data?.find((r) => r.id === roomId);
  useTitle(room ? room.name : "Chat");
  let main: React.ReactNode;
  if (!roomId) {
    main = (
      <div className="chat-empty">
        <p className="muted">Pick a room on the left, or create one.</p>
      </div>
    );
  } else if (rooms.isLoading) {
    main = <p className="muted">Loading…</p>;
  } else if (room) {
    main = <RoomView key={room.id} room={room} myId={user.id} />;
  } else {
    main = <JoinRoom roomId={roomId} />;
  }

  return (
    <div className="chat" data-view={roomId ? "room" : "list"}>
      <aside className="chat-sidebar" aria-label="Rooms">
        <h1 className="visually-hidden">Chat</h1>
        {rooms.error && (
          <p className="form-error" role="alert">
            {describeError(rooms.error)}
          </p>
        )}
        <RoomList rooms={rooms.data ?? []} activeId={roomId} myId={user.id} isLoading={rooms.isLoading} />
        <NewRoomForm />
        <PublicRooms myRooms={rooms.data ?? []} />
      </aside>
      <section className="chat-main">{main}</section>
    </div>
  );
}
