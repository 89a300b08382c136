import type {
  ChatRoom,
  ChatRoomSummary,
  CreateRoomBody,
  Page,
  PaginationQuery,
  RoomMember,
} from "@softchat/contracts";
import type { Actor } from "../../platform/auth/tokens.js";
import type { AppContext } from "../../platform/context.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/errors.js";
import { getUserState } from "../auth/user-directory.js";
import { getPresences } from "../presence/service.js";
import { assertMember } from "./access.js";
import { decodeCursor, encodeCursor, invalidCursor } from "./cursor.js";
import { publishMembership } from "./membership.js";
import { dmPeerOf, presentRoom, presentRoomSummary } from "./presenters.js";
import * as repo from "./repo.js";

type ChatContext = Pick<AppContext, "db" | "outbox" | "config" | "redis">;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rooms listed by GET /api/chat/rooms at most (the most recently active). */
const MAX_ROOMS_LISTED = 500;

/** Creates a public or private room with its creator as owner and `memberIds` as members. */
export async function createRoom(ctx: ChatContext, actor: Actor, body: CreateRoomBody): Promise<ChatRoom> {
  const others = [...new Set(body.memberIds ?? [])].filter((id) => id !== actor.userId);
  const roomId = await ctx.db.transaction(async (tx) => {
    for (const id of others) {
      if (!(await getUserState(tx, id))) {
        throw new AppError("validation_failed", "A member does not exist", {
          fields: [{ path: "body.memberIds", message: `no user ${id}` }],
        });
      }
    }
    const id = await repo.insertRoom(tx, {
      name: body.name,
      type: body.type,
      createdBy: actor.userId,
      dmKey: null,
    });
    if (!id) throw new Error("room insert returned nothing");
    const members = [
      { userId: actor.userId, role: "owner" as const },
      ...others.map((userId) => ({ userId, role: "member" as const })),
    ];
    const added = await repo.insertMembers(tx, id, members);
    await publishMembership(ctx, tx, { roomId: id, userIds: added, change: "joined" });
    return id;
  });
  return roomFor(ctx, actor.userId, roomId);
}

/** The DM room of the actor and `peerId`: the same room for the same pair, whoever asks first. */
export async function openDm(
  ctx: ChatContext,
  actor: Actor,
  peerId: string,
): Promise<{ room: ChatRoom; created: boolean }> {
  if (peerId === actor.userId) {
    throw new AppError("validation_failed", "You cannot open a conversation with yourself", {
      fields: [{ path: "body.userId", message: "must be another user" }],
    });
  }
  const dmKey = [actor.userId, peerId].sort().join(":");
  const existing = await repo.findRoomByDmKey(ctx.db, dmKey);
  if (existing) return { room: await presentFor(ctx.db, existing, actor.userId), created: false };
  const result = await ctx.db.transaction(async (tx) => {
    if (!(await getUserState(tx, peerId))) throw notFound("User");
    // The unique dm_key settles a race: the loser inserts nothing and reads the winner's room.
    const id = await repo.insertRoom(tx, {
      name: "Direct message",
      type: "dm",
      createdBy: actor.userId,
      dmKey,
    });
    if (!id) return { id: null, created: false };
    const added = await repo.insertMembers(tx, id, [
      { userId: actor.userId, role: "member" },
      { userId: peerId, role: "member" },
    ]);
    await publishMembership(ctx, tx, { roomId: id, userIds: added, change: "joined" });
    return { id, created: true };
  });
  const row = result.id ? await repo.findRoom(ctx.db, result.id) : await repo.findRoomByDmKey(ctx.db, dmKey);
  if (!row) throw new Error("direct message room vanished");
  return { room: await presentFor(ctx.db, row, actor.userId), created: result.created };
}

/** One room: members see any room they belong to, everyone sees public rooms. */
export async function getRoom(ctx: ChatContext, actor: Actor, roomId: string): Promise<ChatRoom> {
  const room = await repo.findRoom(ctx.db, roomId);
  if (!room) throw notFound("Room");
  if (room.type !== "public") await assertMember(ctx.db, roomId, actor.userId);
  return presentFor(ctx.db, room, actor.userId);
}

/** Public rooms, newest first: what a user can join. */
export async function listPublicRooms(
  ctx: ChatContext,
  actor: Actor,
  query: PaginationQuery,
): Promise<Page<ChatRoom>> {
  let after: { createdAt: string; id: string } | null = null;
  if (query.cursor) {
    const [createdAt = "", id = ""] = decodeCursor(query.cursor, 2);
    if (Number.isNaN(Date.parse(createdAt)) || !UUID_RE.test(id)) throw invalidCursor();
    after = { createdAt, id };
  }
  const rows = await repo.listPublicRooms(ctx.db, after, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => presentRoom(row, actor.userId)),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.cursor_at, last.id]) : null,
  };
}

/** The actor's rooms with their unread counts and latest messages, most recently active first. */
export async function listMyRooms(ctx: ChatContext, actor: Actor): Promise<ChatRoomSummary[]> {
  const rows = await repo.listRoomsOf(ctx.db, actor.userId, MAX_ROOMS_LISTED);
  return Promise.all(
    rows.map(async (row) => presentRoomSummary(row, actor.userId, await peerName(ctx.db, row, actor.userId))),
  );
}

/** Joins a public room (idempotent). Private rooms and DMs are joined only by being added. */
export async function joinRoom(ctx: ChatContext, actor: Actor, roomId: string): Promise<ChatRoom> {
  await ctx.db.transaction(async (tx) => {
    const room = await repo.findRoom(tx, roomId);
    if (!room) throw notFound("Room");
    if (room.type !== "public") {
      if (await repo.findMember(tx, roomId, actor.userId)) return;
      throw new AppError("not_a_member", "This room is private: its owner has to add you");
    }
    const added = await repo.insertMembers(tx, roomId, [{ userId: actor.userId, role: "member" }]);
    await publishMembership(ctx, tx, { roomId, userIds: added, change: "joined" });
  });
  return roomFor(ctx, actor.userId, roomId);
}

/** Leaves a room; a DM cannot be left (it is the pair's one conversation). */
export async function leaveRoom(ctx: ChatContext, actor: Actor, roomId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const room = await repo.findRoom(tx, roomId);
    if (!room) throw notFound("Room");
    if (room.type === "dm") throw new AppError("forbidden", "A direct conversation cannot be left");
    if (!(await repo.deleteMember(tx, roomId, actor.userId))) {
      throw new AppError("not_a_member", "You are not a member of this room");
    }
    await publishMembership(ctx, tx, { roomId, userIds: [actor.userId], change: "left" });
  });
}

/** Adds a user to a room: its owner (or an admin) may; DMs stay between their two members. */
export async function addMember(
  ctx: ChatContext,
  actor: Actor,
  roomId: string,
  userId: string,
): Promise<ChatRoom> {
  await ctx.db.transaction(async (tx) => {
    const room = await repo.findRoom(tx, roomId);
    if (!room) throw notFound("Room");
    if (room.type === "dm") throw new AppError("forbidden", "Nobody can be added to a direct conversation");
    const me = await repo.findMember(tx, roomId, actor.userId);
    if (actor.role !== "admin") {
      if (!me) throw new AppError("not_a_member", "You are not a member of this room");
      if (me.role !== "owner") throw new AppError("forbidden", "Only the room's owner can add members");
    }
    if (!(await getUserState(tx, userId))) throw notFound("User");
    const added = await repo.insertMembers(tx, roomId, [{ userId, role: "member" }]);
    await publishMembership(ctx, tx, { roomId, userIds: added, change: "joined" });
  });
  return roomFor(ctx, actor.userId, roomId);
}

/** A room's members with their presence. Private rooms and DMs show them to members only. */
export async function listRoomUsers(
  ctx: ChatContext,
  actor: Actor,
  roomId: string,
  query: PaginationQuery,
): Promise<Page<RoomMember>> {
  const room = await repo.findRoom(ctx.db, roomId);
  if (!room) throw notFound("Room");
  if (room.type !== "public") await assertMember(ctx.db, roomId, actor.userId);
  const after = query.cursor ? (decodeCursor(query.cursor, 1)[0] ?? "") : null;
  if (after !== null && !UUID_RE.test(after)) throw invalidCursor();
  const rows = await repo.listMembers(ctx.db, roomId, after, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const presences = await getPresences(
    ctx,
    page.map((m) => m.user_id),
  );
  const items = await Promise.all(
    page.map(async (m): Promise<RoomMember> => {
      const user = await getUserState(ctx.db, m.user_id);
      const presence = presences.get(m.user_id) ?? { userId: m.user_id, status: "offline", lastSeenAt: null };
      return {
        userId: m.user_id,
        username: user?.username ?? "",
        role: m.role,
        joinedAt: new Date(m.joined_at).toISOString(),
        presence,
      };
    }),
  );
  const last = page.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.user_id]) : null };
}

async function roomFor(ctx: ChatContext, viewerId: string, roomId: string): Promise<ChatRoom> {
  const row = await repo.findRoom(ctx.db, roomId);
  if (!row) throw notFound("Room");
  return presentFor(ctx.db, row, viewerId);
}

async function presentFor(q: Queryable, row: repo.RoomRow, viewerId: string): Promise<ChatRoom> {
  return presentRoom(row, viewerId, await peerName(q, row, viewerId));
}

async function peerName(q: Queryable, row: repo.RoomRow, viewerId: string): Promise<string | undefined> {
  const peerId = dmPeerOf(row, viewerId);
  return peerId ? (await getUserState(q, peerId))?.username : undefined;
}
