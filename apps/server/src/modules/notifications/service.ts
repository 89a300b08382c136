import type { Notification, NotificationPriority, NotificationType } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import { emitAfterCommit } from "../../platform/outbox/index.js";

export interface NotificationInput {
  userId: string;
  type: NotificationType;
  title: string;
  body: string;
  priority?: NotificationPriority;
  data?: Record<string, unknown>;
}

interface NotificationRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  type: NotificationType;
  title: string;
  body: string;
  priority: NotificationPriority;
  data: Record<string, unknown>;
  read_at: Date | null;
  created_at: Date;
}

export function presentNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    title: row.title,
    body: row.body,
    priority: row.priority,
    data: row.data ?? {},
    read: row.read_at !== null,
    readAt: row.read_at ? new Date(row.read_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Stores a notification in the caller's transaction and delivers `new_notification` to every device of the
 * user once it commits. The one way other modules notify a user.
 */
export async function notify(
  ctx: Pick<AppContext, "outbox">,
  tx: Transaction,
  input: NotificationInput,
): Promise<Notification> {
  const { rows } = await tx.query<NotificationRow>(
    `INSERT INTO notifications (user_id, type, title, body, priority, data)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING *`,
    [
      input.userId,
      input.type,
      input.title,
      input.body,
      input.priority ?? "normal",
      JSON.stringify(input.data ?? {}),
    ],
  );
  const row = rows[0];
  if (!row) throw new Error("notification insert returned nothing");
  const notification = presentNotification(row);
  await emitAfterCommit(ctx.outbox, tx, {
    rooms: [`user:${input.userId}`],
    event: "new_notification",
    data: { notification },
  });
  return notification;
}
