import type { Notification, Page } from "@softchat/contracts";
import { type InfiniteData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { client } from "../../api/client.js";
import { describeError } from "../../api/errors.js";
import { queryKeys } from "../../app/query-keys.js";
import { useTitle } from "../../app/use-title.js";

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The notification centre: newest first, unread ones marked, each markable as read. */
export default function NotificationsScreen() {
  useTitle("Notifications");
  const queryClient = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: queryKeys.notifications,
    queryFn: ({ pageParam }) => client.notifications.list({ limit: 30, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const markRead = useMutation({
    mutationFn: (id: string) => client.realtime.markNotificationRead(id),
    onSuccess: (updated) => {
      queryClient.setQueryData<InfiniteData<Page<Notification>>>(queryKeys.notifications, (data) =>
        data
          ? {
              ...data,
              pages: data.pages.map((p) => ({
                ...p,
                items: p.items.map((n) => (n.id === updated.id ? updated : n)),
              })),
            }
          : data,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.unreadCount });
    },
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="page">
      <h1>Notifications</h1>
      {(list.error || markRead.error) && (
        <p className="form-error" role="alert">
          {describeError(list.error ?? markRead.error)}
        </p>
      )}
      {list.isLoading && <p className="muted">Loading…</p>}
      {!list.isLoading && items.length === 0 && (
        <p className="muted">Nothing yet. News about your account shows up here.</p>
      )}
      <ul className="list notifications" data-testid="notifications">
        {items.map((n) => (
          <li key={n.id} className="notification" data-read={n.read} data-testid="notification">
            <div className="notification-body">
              <div className="notification-title">
                {!n.read && <span className="unread-dot" aria-hidden="true" />}
                {n.title}
                {!n.read && <span className="visually-hidden"> (unread)</span>}
                {(n.priority === "high" || n.priority === "critical") && (
                  <span className="priority-pill" data-priority={n.priority}>
                    {n.priority}
                  </span>
                )}
              </div>
              {n.body && <p className="notification-text">{n.body}</p>}
              <time className="muted" dateTime={n.createdAt}>
                {dateFormat.format(new Date(n.createdAt))}
              </time>
            </div>
            {!n.read && (
              <button
                type="button"
                className="button secondary small"
                onClick={() => markRead.mutate(n.id)}
                disabled={markRead.isPending && markRead.variables === n.id}
                aria-label={`Mark "${n.title}" as read`}
              >
                Mark read
              </button>
            )}
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <button
          type="button"
          className="button secondary"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? "Loading…" : "Show older"}
        </button>
      )}
    </div>
  );
}
