import { z } from "zod";
import { pageSchema, paginationQuerySchema, uuidSchema } from "./common.js";
import { presenceSchema } from "./presence.js";

/** Longest message, in characters (Unicode code points, as PostgreSQL's char_length counts them). */
export const MESSAGE_MAX_LENGTH = 4000;

/** `dm` rooms are created by POST /api/chat/dm only: one per pair of users. */
export const ROOM_TYPES = ["public", "private", "dm"] as const;
export type RoomType = (typeof ROOM_TYPES)[number];

export const ROOM_MEMBER_ROLES = ["owner", "member"] as const;
export type RoomMemberRole = (typeof ROOM_MEMBER_ROLES)[number];

/**
 * Message text: 1 to 4,000 characters, not only whitespace. Stored exactly as typed (no trimming, no HTML);
 * clients render it as text.
 */
export const messageTextSchema = z
  .string()
  .refine((text) => text.trim().length > 0, "must not be empty")
  .refine(
    (text) => Array.from(text).length <= MESSAGE_MAX_LENGTH,
    `must be at most ${MESSAGE_MAX_LENGTH} characters`,
  );

/** A sender-chosen id that makes a send idempotent: the same clientId in the same room stores one message. */
export const clientIdSchema = z.string().min(1).max(100);

export const chatMessageSchema = z.object({
  id: uuidSchema,
  roomId: uuidSchema,
  senderId: uuidSchema,
  text: z.string(),
  clientId: z.string().nullable(),
  /** Position in the room: strictly increasing in the order messages were committed. Decimal string. */
  seq: z.string(),
  createdAt: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatRoomSchema = z.object({
  id: uuidSchema,
  /** For a DM, the other member's username as seen by the viewer. */
  name: z.string(),
  type: z.enum(ROOM_TYPES),
  createdBy: uuidSchema.nullable(),
  createdAt: z.string(),
  memberCount: z.number().int(),
  /** For a DM, the other member's id; null for other rooms. */
  peerId: uuidSchema.nullable(),
});
export type ChatRoom = z.infer<typeof chatRoomSchema>;

/** A room in the viewer's room list: what it has not read yet and the latest message. */
export const chatRoomSummarySchema = chatRoomSchema.extend({
  unreadCount: z.number().int(),
  lastMessage: chatMessageSchema.nullable(),
});
export type ChatRoomSummary = z.infer<typeof chatRoomSummarySchema>;

export const roomMemberSchema = z.object({
  userId: uuidSchema,
  username: z.string(),
  role: z.enum(ROOM_MEMBER_ROLES),
  joinedAt: z.string(),
  presence: presenceSchema,
});
export type RoomMember = z.infer<typeof roomMemberSchema>;

export const roomParamsSchema = z.object({ roomId: uuidSchema });
export const roomUserParamsSchema = z.object({ roomId: uuidSchema, userId: uuidSchema });

export const createRoomBodySchema = z.object({
  name: z.string().trim().min(1).max(100),
  type: z.enum(["public", "private"]),
  /** Users added to the room at once (besides the creator). */
  memberIds: z.array(uuidSchema).max(100).optional(),
});
export type CreateRoomBody = z.infer<typeof createRoomBodySchema>;

export const createDmBodySchema = z.object({ userId: uuidSchema });
export type CreateDmBody = z.infer<typeof createDmBodySchema>;

export const addMemberBodySchema = z.object({ userId: uuidSchema });
export type AddMemberBody = z.infer<typeof addMemberBodySchema>;

export const sendMessageBodySchema = z.object({
  text: messageTextSchema,
  clientId: clientIdSchema.optional(),
});
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

/**
 * History: newest first with `cursor`; or, with `after=<messageId>`, the messages that follow that one,
 * oldest first (how a client catches up after being away). `nextCursor` continues in the same direction.
 */
export const messageHistoryQuerySchema = paginationQuerySchema.extend({ after: uuidSchema.optional() });
export type MessageHistoryQuery = z.infer<typeof messageHistoryQuerySchema>;

export const typingBodySchema = z.object({ typing: z.boolean() });
export type TypingBody = z.infer<typeof typingBodySchema>;

/** Marks the room read up to `messageId` (or up to its latest message when omitted). */
export const markRoomReadBodySchema = z.object({ messageId: uuidSchema.optional() });
export type MarkRoomReadBody = z.infer<typeof markRoomReadBodySchema>;

export const roomReplySchema = z.object({ room: chatRoomSchema });
export const messageReplySchema = z.object({ message: chatMessageSchema });
export const roomListSchema = z.object({ items: z.array(chatRoomSummarySchema) });
export const messagePageSchema = pageSchema(chatMessageSchema);
export const roomMemberPageSchema = pageSchema(roomMemberSchema);
export const roomReadReplySchema = z.object({ roomId: uuidSchema, unreadCount: z.number().int() });
export type RoomReadReply = z.infer<typeof roomReadReplySchema>;
export const typingReplySchema = z.object({ roomId: uuidSchema, userId: uuidSchema, typing: z.boolean() });
