import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { client } from "../../api/client.js";
import { useOnResync, useSocketEvent } from "../../app/hooks.js";
import { queryKeys } from "../../app/query-keys.js";
import { addMessageToCache, bumpRoomSummary, setRoomUnread } from "./message-cache.js";
import { outgoing } from "./outgoing.js";

const READ_DEBOUNCE_MS = 800;

/**
 * The chat screen's live wiring: each `message_received` lands in its room's history and the room list
 * (unread badge, latest message, order); my own confirmed sends replace their pending copies; the open room
 * is marked read as messages arrive while it is visible.
 */
export function useChatLive(activeRoomId: string | undefined, myId: string): void {
  const queryClient = useQueryClient();
  const readTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const active = useRef(activeRoomId);
  active.current = activeRoomId;

  const markReadSoon = (roomId: string) => {
    clearTimeout(readTimer.current);
    readTimer.current = setTimeout(() => {
      if (active.current !== roomId || document.visibilityState !== "visible") return;
      client.realtime.markRoomRead(roomId).then(
        (reply) => setRoomUnread(queryClient, roomId, reply.unreadCount),
        () => {},
      );
    }, READ_DEBOUNCE_MS);
  };

  useEffect(() => {
    outgoing.setConfirmedHandler((message) => {
      addMessageToCache(queryClient, message);
      bumpRoomSummary(queryClient, message, { viewing: message.roomId === active.current, mine: true });
    });
  }, [queryClient]);

  useEffect(() => () => clearTimeout(readTimer.current), []);

  useSocketEvent("message_received", ({ message }) => {
    outgoing.confirm(message.senderId === myId ? message.clientId : null);
    addMessageToCache(queryClient, message);
    const viewing = message.roomId === active.current;
    const known = bumpRoomSummary(queryClient, message, { viewing, mine: message.senderId === myId });
    // A room I did not know about yet (someone opened a DM with me, added me to a room).
    if (!known) void queryClient.invalidateQueries({ queryKey: queryKeys.rooms });
    if (viewing && message.senderId !== myId) markReadSoon(message.roomId);
  });

  useSocketEvent("user_joined", ({ userId }) => {
    if (userId === myId) void queryClient.invalidateQueries({ queryKey: queryKeys.rooms });
  });

  useOnResync((info) => {
    if (info.via === "reconnect") void queryClient.invalidateQueries({ queryKey: queryKeys.rooms });
  });
}
