import { z } from "zod";
import { pageSchema, paginationQuerySchema, uuidSchema } from "./common.js";

export const NOTIFICATION_TYPES = [
  "balance",
  "transaction",
  "transfer",
  "payment",
  "deposit",
  "withdrawal",
  "security",
  "limits",
  "kyc",
  "card",
  "message",
  "trade",
  "order",
  "escrow",
  "reward",
  "tip",
  "battle",
  "system",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_PRIORITIES = ["low", "normal", "high", "critical"] as const;
export type NotificationPriority = (typeof NOTIFICATION_PRIORITIES)[number];

export const notificationSchema = z.object({
  id: z.string().uuid(),
  userId: z.string().uuid(),
  type: z.enum(NOTIFICATION_TYPES),
  title: z.string(),
  body: z.string(),
  priority: z.enum(NOTIFICATION_PRIORITIES),
  data: z.record(z.string(), z.unknown()),
  read: z.boolean(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListQuerySchema = paginationQuerySchema.extend({
  /** `true`: unread only. */
  unread: z.enum(["true", "false"]).optional(),
});
export type NotificationListQuery = z.infer<typeof notificationListQuerySchema>;

export const notificationPageSchema = pageSchema(notificationSchema);
export const unreadCountSchema = z.object({ count: z.number().int() });
export const notificationReplySchema = z.object({ notification: notificationSchema });

/** Admin send: to one user (`userId`) or to everyone (`broadcast: true`), exactly one of the two. */
export const sendNotificationBodySchema = z
  .object({
    userId: uuidSchema.optional(),
    broadcast: z.literal(true).optional(),
    type: z.enum(NOTIFICATION_TYPES),
    title: z.string().trim().min(1).max(200),
    body: z.string().max(2000),
    priority: z.enum(NOTIFICATION_PRIORITIES).default("normal"),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => (b.userId === undefined) !== (b.broadcast === undefined), {
    message: "give either userId or broadcast: true",
    path: ["userId"],
  });
export type SendNotificationBody = z.infer<typeof sendNotificationBodySchema>;

/** How many notifications an admin send stored (1 for one user, every user for a broadcast). */
export const sendNotificationReplySchema = z.object({ sent: z.number().int() });

export const notificationUserParamsSchema = z.object({ userId: uuidSchema });
export const notificationParamsSchema = z.object({ notificationId: uuidSchema });
