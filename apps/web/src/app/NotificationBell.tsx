import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { client } from "../api/client.js";
import { queryKeys } from "./query-keys.js";

function BellIcon() {
  return (
    <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"
        fill="currentColor"
      />
    </svg>
  );
}

/** The bell in the header: a live unread count (kept current by useNotificationFeed), linking to the list. */
export function NotificationBell() {
  const unread = useQuery({
    queryKey: queryKeys.unreadCount,
    queryFn: () => client.notifications.unreadCount(),
  });
  const count = unread.data ?? 0;
  const label = count === 0 ? "Notifications, none unread" : `Notifications, ${count} unread`;
  return (
    <Link to="/notifications" className="icon-button" aria-label={label} data-testid="notification-bell">
      <BellIcon />
      {count > 0 && (
        <span className="badge" data-testid="unread-badge" aria-hidden="true">
          {count > 99 ? "99+" : count}
        </span>
      )}
    </Link>
  );
}
