import type { Page, PresenceStatus, RoomMember } from "@softchat/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { client } from "../../api/client.js";
import { useOnResync, useSocketEvent } from "../../app/hooks.js";
import { queryKeys } from "../../app/query-keys.js";

/** A room's members with live presence: socket presence events patch the cached list in place. */
export function useRoomMembers(roomId: string, enabled: boolean) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: queryKeys.roomUsers(roomId),
    queryFn: () => client.chat.users(roomId, { limit: 200 }),
    enabled,
  });

  const setStatus = (userId: string, status: PresenceStatus, lastSeenAt?: string | null) => {
    queryClient.setQueryData<Page<RoomMember>>(queryKeys.roomUsers(roomId), (page) =>
      page
        ? {
            ...page,
            items: page.items.map((m) =>
              m.userId === userId
                ? {
                    ...m,
                    presence: { ...m.presence, status, lastSeenAt: lastSeenAt ?? m.presence.lastSeenAt },
                  }
                : m,
            ),
          }
        : page,
    );
  };

  useSocketEvent("presence_update", (e) => setStatus(e.userId, e.status));
  useSocketEvent("user_online", (e) => setStatus(e.userId, "online"));
  useSocketEvent("user_offline", (e) => setStatus(e.userId, "offline", e.lastSeenAt));
  useSocketEvent("user_joined", (e) => {
    if (e.roomId === roomId) void queryClient.invalidateQueries({ queryKey: queryKeys.roomUsers(roomId) });
  });
  useSocketEvent("user_left", (e) => {
    if (e.roomId === roomId) void queryClient.invalidateQueries({ queryKey: queryKeys.roomUsers(roomId) });
  });
  useOnResync((info) => {
    if (info.via === "reconnect")
      void queryClient.invalidateQueries({ queryKey: queryKeys.roomUsers(roomId) });
  });

  const members = query.data?.items ?? [];
  const names = useMemo(() => new Map(members.map((m) => [m.userId, m.username])), [members]);
  return { members, names, isLoading: query.isLoading };
}
