import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { client } from "../../api/client.js";
import { queryKeys } from "../../app/query-keys.js";
import { chronological } from "./message-cache.js";

const PAGE_SIZE = 50;

/**
 * A room's history, oldest first, with `loadOlder` for scrolling back. The room is followed on the live
 * connection: new messages arrive as `message_received` (merged in by useChatLive), including those sent
 * while the connection was down, which the SDK fetches on its own after a reconnect or while polling.
 */
export function useRoomMessages(roomId: string) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.messages(roomId),
    queryFn: async ({ pageParam }) => {
      const page = await client.chat.messages(roomId, { cursor: pageParam, limit: PAGE_SIZE });
      // Tell the catch-up what is already on screen so it is not delivered a second time.
      client.realtime.markSeen(page.items);
      return page;
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });

  useEffect(() => {
    client.realtime.joinRoom(roomId).catch(() => {});
  }, [roomId]);

  const messages = useMemo(() => chronological(query.data), [query.data]);
  return {
    messages,
    isLoading: query.isLoading,
    error: query.error,
    hasOlder: query.hasNextPage,
    loadingOlder: query.isFetchingNextPage,
    loadOlder: () => {
      if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
    },
  };
}
