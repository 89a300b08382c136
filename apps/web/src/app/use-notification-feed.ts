import type { Notification } from "@softchat/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useOnResync, useSocketEvent } from "./hooks.js";
import { queryKeys } from "./query-keys.js";

/** How long a high-priority toast stays; critical ones stay until dismissed. */
const TOAST_MS = 8000;
const MAX_TOASTS = 4;

/**
 * Live notifications: each `new_notification` bumps the bell's unread count and refreshes the list;
 * high and critical ones also pop up as toasts. After a catch-up (an unrecovered reconnect, a
 * polling round) the count is refetched.
 */
export function useNotificationFeed() {
  const queryClient = useQueryClient();
  const [toasts, setToasts] = useState<Notification[]>([]);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: string) => {
    setToasts((current) => current.filter((t) => t.id !== id));
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
  }, []);

  useSocketEvent("new_notification", ({ notification }) => {
    queryClient.setQueryData<number>(queryKeys.unreadCount, (count) => (count ?? 0) + 1);
    void queryClient.invalidateQueries({ queryKey: queryKeys.notifications });
    if (notification.priority !== "high" && notification.priority !== "critical") return;
    setToasts((current) =>
      [notification, ...current.filter((t) => t.id !== notification.id)].slice(0, MAX_TOASTS),
    );
    if (notification.priority === "high") {
      timers.current.set(
        notification.id,
        setTimeout(() => dismiss(notification.id), TOAST_MS),
      );
    }
  });

  useOnResync((info) => {
    if (info.via === "reconnect") void queryClient.invalidateQueries({ queryKey: queryKeys.unreadCount });
  });

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending.values()) clearTimeout(timer);
    };
  }, []);

  return { toasts, dismiss };
}
