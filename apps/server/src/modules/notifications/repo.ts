import { randomUUID } from "node:crypto";
import type { NotificationPriority, NotificationType } from "@softchat/contracts";
import { deferWrite, type Queryable, type Transaction } from "../../platform/db/index.js";

/** A notifications row as stored. */
export interface NotificationRow extends Record<string, unknown> {
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

export interface NotificationContent {
  type: NotificationType;
  title: string;
  body: string;
  priority: NotificationPriority;
  data: Record<string, unknown>;
}

// Microsecond-exact creation time for keyset cursors (a JS Date keeps only milliseconds).
const CURSOR_AT = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/** Stores the same notification for every user in `userIds` in one statement. */
export async function insertNotifications(
  tx: Transaction,
  userIds: readonly string[],
  content: NotificationContent,
): Promise<NotificationRow[]> {
  if (userIds.length === 0) return [];
  const { rows } = await tx.query<NotificationRow>(
    `INSERT INTO notifications (user_id, type, title, body, priority, data)
     SELECT u, $2, $3, $4, $5, $6::jsonb FROM unnest($1::uuid[]) AS u
     RETURNING *`,
    [userIds, content.type, content.title, content.body, content.priority, JSON.stringify(content.data)],
  );
  return rows;
}

/**
 * Stores notifications each with its own user and content, written with the transaction's deferred writes
 * (one statement at commit: nothing in the transaction reads them back). The rows are built here, ids and
 * creation time included, and returned as they will be stored.
 */
export function insertNotificationRows(
  tx: Transaction,
  rows: readonly (NotificationContent & { userId: string })[],
  now = new Date(),
): NotificationRow[] {
  if (rows.length === 0) return [];
  const records: NotificationRow[] = rows.map((r) => ({
    id: randomUUID(),
    user_id: r.userId,
    type: r.type,
    title: r.title,
    body: r.body,
    priority: r.priority,
    data: r.data,
    read_at: null,
    created_at: now,
  }));
  deferWrite(
    tx,
    `INSERT INTO notifications (id, user_id, type, title, body, priority, data, created_at)
     SELECT v.id, v.user_id, v.type, v.title, v.body, v.priority, v.data::jsonb, $8::timestamptz
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         AS v(id, user_id, type, title, body, priority, data)`,
    [
      records.map((r) => r.id),
      records.map((r) => r.user_id),
      records.map((r) => r.type),
      records.map((r) => r.title),
      records.map((r) => r.body),
      records.map((r) => r.priority),
      records.map((r) => JSON.stringify(r.data)),
      now.toISOString(),
    ],
  );
  return records;
}

/** A user's notifications, newest first, after the (created_at, id) cursor; unread only when asked. */
export async function listNotifications(
  q: Queryable,
  userId: string,
  options: { unreadOnly: boolean; after: { at: string; id: string } | null; limit: number },
): Promise<Array<NotificationRow & { cursor_at: string }>> {
  const { rows } = await q.query<NotificationRow & { cursor_at: string }>(
    `SELECT *, ${CURSOR_AT} FROM notifications
      WHERE user_id = $1 AND (NOT $2::boolean OR read_at IS NULL)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [userId, options.unreadOnly, options.after?.at ?? null, options.after?.id ?? null, options.limit],
  );
  return rows;
}

export async function countUnread(q: Queryable, userId: string): Promise<number> {
  const { rows } = await q.query<{ count: string }>(
    "SELECT count(*) AS count FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    [userId],
  );
  return Number(rows[0]?.count ?? 0);
}

export async function findNotification(q: Queryable, id: string): Promise<NotificationRow | null> {
  const { rows } = await q.query<NotificationRow>("SELECT * FROM notifications WHERE id = $1", [id]);
  return rows[0] ?? null;
}

/** Marks one notification read (the first read time stays). */
export async function markRead(q: Queryable, id: string): Promise<NotificationRow | null> {
  const { rows } = await q.query<NotificationRow>(
    "UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 RETURNING *",
    [id],
  );
  return rows[0] ?? null;
}

/** Marks every unread notification of the user read; returns how many changed. */
export async function markAllRead(q: Queryable, userId: string): Promise<number> {
  const { rowCount } = await q.query(
    "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL",
    [userId],
  );
  return rowCount;
}
