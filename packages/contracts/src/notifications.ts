import { z } from "zod";

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
