import type { ChatMessage, MessageHistoryQuery, Page } from "@softchat/contracts";
import type { Actor } from "../../platform/auth/tokens.js";
import type { AppContext } from "../../platform/context.js";
import type { Queryable } from "../../platform/db/index.js";
import { notFound } from "../../platform/http/errors.js";
import { assertMember } from "./access.js";
import { decodeCursor, encodeCursor, invalidCursor } from "./cursor.js";
import { MessageBatcher } from "./message-batcher.js";
import { presentMessage } from "./presenters.js";
import * as repo from "./repo.js";
import type { TypingIndicators } from "./typing.js";

type ChatContext = Pick<AppContext, "db" | "outbox">;
type SendContext = Pick<AppContext, "db" | "outbox" | "logger">;

const batchers = new WeakMap<object, MessageBatcher>();

/** The node's group commit for messages (one per database, so per app). */
function messageBatcher(ctx: SendContext): MessageBatcher {
  let batcher = batchers.get(ctx.db);
  if (!batcher) {
    batcher = new MessageBatcher(ctx, {
      maxBatch: 256,
      maxQueued: 10_000,
      // The embedded database has one writer; PostgreSQL gains from a few batches at once.
      lanes: ctx.db.engine === "pglite" ? 1 : 4,
    });
    batchers.set(ctx.db, batcher);
  }
  return batcher;
}

/** Writes the messages still queued and stops taking new ones (on shutdown). */
export async function stopSendingMessages(ctx: Pick<AppContext, "db">): Promise<void> {
  await batchers.get(ctx.db)?.stop();
  batchers.delete(ctx.db);
}

/**
 * Stores a message and, after commit, sends `message_received` to the room. The same clientId from the
 * same sender in the same room stores and sends one message: a retry gets the stored one back. Sends are
 * written in groups (see MessageBatcher), so concurrent senders share transactions.
 */
export function sendMessage(
  ctx: SendContext,
  actor: Actor,
  roomId: string,
  input: { text: string; clientId?: string | undefined },
): Promise<ChatMessage> {
  return messageBatcher(ctx).submit({
    senderId: actor.userId,
    roomId,
    text: input.text,
    clientId: input.clientId ?? null,
  });
}

/**
 * History for members: newest first from `cursor`, or with `after` the messages following that one, oldest
 * first. Reading moves the member's read position up to the newest message returned.
 */
export async function listMessages(
  ctx: ChatContext,
  actor: Actor,
  roomId: string,
  query: MessageHistoryQuery,
): Promise<Page<ChatMessage>> {
  await assertMember(ctx.db, roomId, actor.userId);
  // The cursor remembers its direction: ["after", seq] pages forward, ["before", seq] pages back.
  const [direction, fromSeq] = query.cursor
    ? decodeHistoryCursor(query.cursor)
    : query.after
      ? ["after", (await findAnchor(ctx.db, roomId, query.after)).seq]
      : ["before", null];
  const rows =
    direction === "after"
      ? await repo.listMessagesAfter(ctx.db, roomId, fromSeq ?? "0", query.limit + 1)
      : await repo.listMessagesBefore(ctx.db, roomId, fromSeq ?? null, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const newest = page.reduce((max, r) => (BigInt(r.seq) > BigInt(max) ? r.seq : max), "0");
  if (newest !== "0") await repo.markReadUpTo(ctx.db, roomId, actor.userId, newest);
  return {
    items: page.map(presentMessage),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor([direction === "after" ? "after" : "before", last.seq])
        : null,
  };
}

function decodeHistoryCursor(cursor: string): [string, string] {
  const [direction = "", seq = ""] = decodeCursor(cursor, 2);
  if ((direction === "after" || direction === "before") && /^\d{1,19}$/.test(seq)) return [direction, seq];
  throw invalidCursor();
}

async function findAnchor(q: Queryable, roomId: string, messageId: string): Promise<repo.MessageRow> {
  const anchor = await repo.findMessage(q, roomId, messageId);
  if (!anchor) throw notFound("Message");
  return anchor;
}

/** Marks the room read up to `messageId` (or its latest message); returns what is still unread. */
export async function markRoomRead(
  ctx: ChatContext,
  actor: Actor,
  roomId: string,
  messageId?: string,
): Promise<{ roomId: string; unreadCount: number }> {
  await assertMember(ctx.db, roomId, actor.userId);
  let seq: string;
  if (messageId) {
    const message = await repo.findMessage(ctx.db, roomId, messageId);
    if (!message) throw notFound("Message");
    seq = message.seq;
  } else {
    seq = await repo.latestSeq(ctx.db, roomId);
  }
  return { roomId, unreadCount: await repo.markReadUpTo(ctx.db, roomId, actor.userId, seq) };
}

/** Starts or stops the actor's typing indicator in a room they belong to. */
export async function setTyping(
  ctx: Pick<AppContext, "db">,
  indicators: TypingIndicators,
  actor: Actor,
  roomId: string,
  typing: boolean,
): Promise<{ roomId: string; userId: string; typing: boolean }> {
  await assertMember(ctx.db, roomId, actor.userId);
  if (typing) indicators.start(roomId, actor.userId);
  else indicators.stop(roomId, actor.userId);
  return { roomId, userId: actor.userId, typing };
}
