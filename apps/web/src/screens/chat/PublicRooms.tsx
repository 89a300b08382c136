import type { ChatRoom, ChatRoomSummary, Page } from "@softchat/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { queryKeys } from "../../app/query-keys.js";

/** Public rooms I am not in yet, newest first, each joinable in one click. */
export function PublicRooms({ myRooms }: { myRooms: ChatRoomSummary[] }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const publicRooms = useQuery({
    queryKey: queryKeys.publicRooms,
    queryFn: () => client.request<Page<ChatRoom>>("GET", "/api/chat/public-rooms", { query: { limit: 20 } }),
  });
  const join = useMutation({
    mutationFn: (roomId: string) => client.chat.join(roomId),
    onSuccess: async (room) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.rooms });
      navigate(`/chat/${room.id}`);
    },
  });
  const mine = new Set(myRooms.map((r) => r.id));
  const joinable = (publicRooms.data?.items ?? []).filter((r) => !mine.has(r.id));
  if (joinable.length === 0) return null;
  return (
    <section aria-labelledby="public-rooms-title">
      <h2 id="public-rooms-title" className="panel-title">
        Public rooms
      </h2>
      {join.error && (
        <p className="form-error" role="alert">
          {describeError(join.error)}
        </p>
      )}
      <ul className="list">
        {joinable.map((room) => (
          <li key={room.id} className="member">
            <span className="member-name">
              # {room.name} <span className="muted">({room.memberCount})</span>
            </span>
            <button
              type="button"
              className="button secondary small"
              onClick={() => join.mutate(room.id)}
              disabled={join.isPending}
              aria-label={`Join ${room.name}`}
            >
              Join
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
