import { z } from "zod";
import { uuidSchema } from "./common.js";

export const PRESENCE_STATUSES = ["online", "away", "offline"] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

/** A user's presence: online while any device is connected (or away if they said so), offline otherwise. */
export const presenceSchema = z.object({
  userId: uuidSchema,
  status: z.enum(PRESENCE_STATUSES),
  /** Last activity while online; when the last device disconnected once offline; null if never seen. */
  lastSeenAt: z.string().nullable(),
});
export type Presence = z.infer<typeof presenceSchema>;

/** What a connected user may set; offline follows from having no connection. */
export const updatePresenceBodySchema = z.object({ status: z.enum(["online", "away"]) });
export type UpdatePresenceBody = z.infer<typeof updatePresenceBodySchema>;

export const presenceParamsSchema = z.object({ userId: uuidSchema });
