import type { Notification, Page, SendNotificationBody } from "@softchat/contracts";
import type { HttpTransport } from "../http/transport.js";

export interface NotificationQuery {
  /** Only unread ones. */
  unread?: boolean;
  limit?: number;
  cursor?: string;
  /** Whose notifications: mine by default (admins may read anyone's). */
  userId?: string;
}

/** What an admin sends; `priority` defaults to "normal". */
export type AdminNotificationInput = Omit<SendNotificationBody, "priority"> & {
  priority?: SendNotificationBody["priority"];
};

/** Notifications over HTTP (`/api/notifications/*`); new ones arrive live through the realtime client. */
export class NotificationsApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly currentUserId: () => Promise<string>,
  ) {}

  /** Newest first, cursor-paginated. */
  async list(query: NotificationQuery = {}): Promise<Page<Notification>> {
    const { userId, unread, ...page } = query;
    const owner = userId ?? (await this.currentUserId());
    return this.http.request<Page<Notification>>("GET", `/api/notifications/${encodeURIComponent(owner)}`, {
      query: { ...page, unread: unread === undefined ? undefined : String(unread) },
    });
  }

  /** How many are unread. */
  async unreadCount(userId?: string): Promise<number> {
    const owner = userId ?? (await this.currentUserId());
    const path = `/api/notifications/${encodeURIComponent(owner)}/unread-count`;
    return (await this.http.request<{ count: number }>("GET", path)).count;
  }

  /** Marks one of mine read. */
  async markRead(notificationId: string): Promise<Notification> {
    const path = `/api/notifications/${encodeURIComponent(notificationId)}/read`;
    return (await this.http.request<{ notification: Notification }>("PUT", path)).notification;
  }

  /** Admin: sends a notification to one user or to everyone. Returns how many were stored. */
  async send(body: AdminNotificationInput): Promise<number> {
    return (await this.http.request<{ sent: number }>("POST", "/api/notifications/send", { body })).sent;
  }
}
