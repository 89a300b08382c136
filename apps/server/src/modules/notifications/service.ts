import type {
  Notification,
  NotificationListQuery,
  NotificationPriority,
  NotificationType,
  Page,
  SendNotificationBody,
} from "@softchat/contracts";
import { type AuditActor, recordAudit } from "../../platform/audit/index.js";
import { assertSelfOrAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/errors.js";
import type { SocketEmit } from "../../platform/outbox/index.js";
import { emitManyAfterCommit } from "../../platform/realtime/index.js";
import { getUserState, listUserIds } from "../auth/user-directory.js";
import * as repo from "./repo.js";

export interface NotificationInput {
  userId: string;
  type: NotificationType;
  title: string;
  body: string;
  priority?: NotificationPriority;
  data?: Record<string, unknown>;
}

type NotificationRow = repo.NotificationRow;

/** Users per INSERT (and per outbox row of socket events) when an admin broadcasts to everyone. */
const BROADCAST_BATCH = 1000;

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
  const [notification] = await notifyMany(ctx, tx, [input]);
  if (!notification) throw new Error("notification insert returned nothing");
  return notification;
}

/** `notify` for several notifications at once: one INSERT and one outbox row, whatever their number. */
export async function notifyMany(
  ctx: Pick<AppContext, "outbox">,
  tx: Transaction,
  inputs: readonly NotificationInput[],
): Promise<Notification[]> {
  if (inputs.length === 0) return [];
  const rows = repo.insertNotificationRows(
    tx,
    inputs.map((input) => ({
      userId: input.userId,
      type: input.type,
      title: input.title,
      body: input.body,
      priority: input.priority ?? "normal",
      data: input.data ?? {},
    })),
  );
  const notifications = rows.map(presentNotification);
  await emitManyAfterCommit(ctx.outbox, tx, notifications.map(newNotificationEmit));
  return notifications;
}

/** A user's notifications, newest first; `unread=true` for unread only. The user or an admin. */
export async function listNotifications(
  ctx: Pick<AppContext, "db">,
  actor: Actor,
  userId: string,
  query: NotificationListQuery,
): Promise<Page<Notification>> {
  assertSelfOrAdmin(actor, userId);
  const rows = await repo.listNotifications(ctx.db, userId, {
    unreadOnly: query.unread === "true",
    after: query.cursor ? decodeCursor(query.cursor) : null,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(presentNotification),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.cursor_at, last.id) : null,
  };
}

/** How many of the user's notifications are unread. The user or an admin. */
export async function countUnread(
  ctx: Pick<AppContext, "db">,
  actor: Actor,
  userId: string,
): Promise<number> {
  assertSelfOrAdmin(actor, userId);
  return repo.countUnread(ctx.db, userId);
}

/** Marks one of the actor's own notifications read (repeating it changes nothing). */
export async function markNotificationRead(
  ctx: Pick<AppContext, "db">,
  actor: Actor,
  notificationId: string,
): Promise<Notification> {
  const found = await repo.findNotification(ctx.db, notificationId);
  if (!found) throw notFound("Notification");
  if (found.user_id !== actor.userId) throw new AppError("forbidden", "This notification is not yours");
  const row = await repo.markRead(ctx.db, notificationId);
  if (!row) throw notFound("Notification");
  return presentNotification(row);
}

/** Marks all of a user's notifications read; returns how many were unread. The user or an admin. */
export async function markAllRead(
  ctx: Pick<AppContext, "db">,
  actor: Actor,
  userId: string,
): Promise<number> {
  assertSelfOrAdmin(actor, userId);
  return repo.markAllRead(ctx.db, userId);
}

/**
 * Admin send: to one user, or with `broadcast` to every user (inserted in batches, all in one transaction
 * so a broadcast is stored for everyone or no one). Audited. Returns how many notifications were stored.
 */
export async function sendByAdmin(
  ctx: Pick<AppContext, "db" | "outbox">,
  actor: AuditActor,
  body: SendNotificationBody,
): Promise<number> {
  const content = {
    type: body.type,
    title: body.title,
    body: body.body,
    priority: body.priority,
    data: body.data ?? {},
  };
  return ctx.db.transaction(async (tx) => {
    let sent = 0;
    if (body.userId) {
      if (!(await getUserState(tx, body.userId))) throw notFound("User");
      await notify(ctx, tx, { userId: body.userId, ...content });
      sent = 1;
    } else {
      let afterId: string | null = null;
      for (;;) {
        const ids: string[] = await listUserIds(tx, afterId, BROADCAST_BATCH);
        if (ids.length === 0) break;
        const rows = await repo.insertNotifications(tx, ids, content);
        await emitManyAfterCommit(
          ctx.outbox,
          tx,
          rows.map((row) => newNotificationEmit(presentNotification(row))),
        );
        sent += rows.length;
        afterId = ids.at(-1) ?? null;
        if (ids.length < BROADCAST_BATCH) break;
      }
    }
    await recordAudit(tx, {
      ...actor,
      action: body.broadcast ? "admin.notification.broadcast" : "admin.notification.send",
      subjectType: body.broadcast ? "users" : "user",
      subjectId: body.userId ?? null,
      after: { type: body.type, title: body.title, priority: body.priority, sent },
    });
    return sent;
  });
}

function newNotificationEmit(notification: Notification): SocketEmit {
  return { rooms: [`user:${notification.userId}`], event: "new_notification", data: { notification } };
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString("base64url");
}

function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (
      typeof at === "string" &&
      !Number.isNaN(Date.parse(at)) &&
      typeof id === "string" &&
      /^[0-9a-f-]{36}$/i.test(id)
    ) {
      return { at, id };
    }
  } catch {
    // Falls through to the one error below.
  }
  throw new AppError("validation_failed", "The cursor is not valid", {
    fields: [{ path: "querystring.cursor", message: "use nextCursor from the previous page" }],
  });
}
