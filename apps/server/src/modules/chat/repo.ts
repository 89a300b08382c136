import type { RoomMemberRole, RoomType } from "@softchat/contracts";
import type { Queryable, Transaction } from "../../platform/db/index.js";

export interface RoomRow extends Record<string, unknown> {
  id: string;
  name: string;
  type: RoomType;
  dm_key: string | null;
  created_by: string | null;
  created_at: Date;
  member_count: string;
}

export interface RoomSummaryRow extends RoomRow {
  unread_count: string;
  lm_id: string | null;
  lm_seq: string | null;
  lm_sender_id: string | null;
  lm_text: string | null;
  lm_client_id: string | null;
  lm_created_at: Date | null;
}

export interface MemberRow extends Record<string, unknown> {
  room_id: string;
  user_id: string;
  role: RoomMemberRole;
  last_read_seq: string;
  joined_at: Date;
}

export interface MessageRow extends Record<string, unknown> {
  id: string;
  seq: string;
  room_id: string;
  sender_id: string;
  text: string;
  client_id: string | null;
  created_at: Date;
}

const ROOM_COLUMNS = `r.id, r.name, r.type, r.dm_key, r.created_by, r.created_at,
  (SELECT count(*) FROM chat_members c WHERE c.room_id = r.id) AS member_count`;

/** Inserts a room; for a DM whose pair already has one, inserts nothing and returns null. */
export async function insertRoom(
  tx: Transaction,
  room: { name: string; type: RoomType; createdBy: string; dmKey: string | null },
): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO chat_rooms (name, type, created_by, dm_key) VALUES ($1, $2, $3, $4)
     ON CONFLICT (dm_key) DO NOTHING RETURNING id`,
    [room.name, room.type, room.createdBy, room.dmKey],
  );
  return rows[0]?.id ?? null;
}

export async function findRoom(q: Queryable, roomId: string): Promise<RoomRow | null> {
  const { rows } = await q.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM chat_rooms r WHERE r.id = $1`, [
    roomId,
  ]);
  return rows[0] ?? null;
}

export async function findRoomByDmKey(q: Queryable, dmKey: string): Promise<RoomRow | null> {
  const { rows } = await q.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM chat_rooms r WHERE r.dm_key = $1`, [
    dmKey,
  ]);
  return rows[0] ?? null;
}

/** Public rooms, newest first, after the (created_at, id) keyset cursor (`cursor_at` keeps microseconds). */
export async function listPublicRooms(
  q: Queryable,
  after: { createdAt: string; id: string } | null,
  limit: number,
): Promise<Array<RoomRow & { cursor_at: string }>> {
  const { rows } = await q.query<RoomRow & { cursor_at: string }>(
    `SELECT ${ROOM_COLUMNS},
            to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM chat_rooms r
      WHERE r.type = 'public'
        AND ($1::timestamptz IS NULL OR (r.created_at, r.id) < ($1::timestamptz, $2::uuid))
      ORDER BY r.created_at DESC, r.id DESC LIMIT $3`,
    [after?.createdAt ?? null, after?.id ?? null, limit],
  );
  return rows;
}

/** Adds members; returns the ids that were not members before. */
export async function insertMembers(
  tx: Transaction,
  roomId: string,
  members: ReadonlyArray<{ userId: string; role: RoomMemberRole }>,
): Promise<string[]> {
  if (members.length === 0) return [];
  const { rows } = await tx.query<{ user_id: string }>(
    `INSERT INTO chat_members (room_id, user_id, role)
     SELECT $1, m.user_id, m.role FROM unnest($2::uuid[], $3::text[]) AS m(user_id, role)
     ON CONFLICT DO NOTHING RETURNING user_id`,
    [roomId, members.map((m) => m.userId), members.map((m) => m.role)],
  );
  return rows.map((r) => r.user_id);
}

export async function deleteMember(tx: Transaction, roomId: string, userId: string): Promise<boolean> {
  const { rowCount } = await tx.query("DELETE FROM chat_members WHERE room_id = $1 AND user_id = $2", [
    roomId,
    userId,
  ]);
  return rowCount > 0;
}

export async function findMember(q: Queryable, roomId: string, userId: string): Promise<MemberRow | null> {
  const { rows } = await q.query<MemberRow>(
    "SELECT * FROM chat_members WHERE room_id = $1 AND user_id = $2",
    [roomId, userId],
  );
  return rows[0] ?? null;
}

/** A page of members ordered by user id, after `afterUserId`. */
export async function listMembers(
  q: Queryable,
  roomId: string,
  afterUserId: string | null,
  limit: number,
): Promise<MemberRow[]> {
  const { rows } = await q.query<MemberRow>(
    `SELECT * FROM chat_members WHERE room_id = $1 AND ($2::uuid IS NULL OR user_id > $2::uuid)
      ORDER BY user_id LIMIT $3`,
    [roomId, afterUserId, limit],
  );
  return rows;
}

/** The rooms `userId` belongs to, most recently active first, with unread count and latest message. */
export async function listRoomsOf(q: Queryable, userId: string, limit: number): Promise<RoomSummaryRow[]> {
  const { rows } = await q.query<RoomSummaryRow>(
    `SELECT ${ROOM_COLUMNS},
            (SELECT count(*) FROM chat_messages m
              WHERE m.room_id = r.id AND m.seq > me.last_read_seq AND m.sender_id <> me.user_id) AS unread_count,
            lm.id AS lm_id, lm.seq AS lm_seq, lm.sender_id AS lm_sender_id, lm.text AS lm_text,
            lm.client_id AS lm_client_id, lm.created_at AS lm_created_at
       FROM chat_members me
       JOIN chat_rooms r ON r.id = me.room_id
       LEFT JOIN LATERAL (
         SELECT * FROM chat_messages m WHERE m.room_id = r.id ORDER BY m.seq DESC LIMIT 1
       ) lm ON true
      WHERE me.user_id = $1
      ORDER BY COALESCE(r.last_message_at, r.created_at) DESC, r.id
      LIMIT $2`,
    [userId, limit],
  );
  return rows;
}

export async function listRoomIdsOf(q: Queryable, userId: string): Promise<string[]> {
  const { rows } = await q.query<{ room_id: string }>("SELECT room_id FROM chat_members WHERE user_id = $1", [
    userId,
  ]);
  return rows.map((r) => r.room_id);
}

/** The memberships of several users at once. */
export async function listMembershipsOf(
  q: Queryable,
  userIds: readonly string[],
): Promise<Array<{ user_id: string; room_id: string }>> {
  const { rows } = await q.query<{ user_id: string; room_id: string }>(
    "SELECT user_id, room_id FROM chat_members WHERE user_id = ANY($1::uuid[])",
    [userIds],
  );
  return rows;
}

export async function sharesRoom(q: Queryable, a: string, b: string): Promise<boolean> {
  const { rows } = await q.query(
    `SELECT 1 FROM chat_members x JOIN chat_members y ON y.room_id = x.room_id
      WHERE x.user_id = $1 AND y.user_id = $2 LIMIT 1`,
    [a, b],
  );
  return rows.length > 0;
}

export async function findMessage(
  q: Queryable,
  roomId: string,
  messageId: string,
): Promise<MessageRow | null> {
  const { rows } = await q.query<MessageRow>("SELECT * FROM chat_messages WHERE room_id = $1 AND id = $2", [
    roomId,
    messageId,
  ]);
  return rows[0] ?? null;
}

/** Newest first, below `beforeSeq` when given. */
export async function listMessagesBefore(
  q: Queryable,
  roomId: string,
  beforeSeq: string | null,
  limit: number,
): Promise<MessageRow[]> {
  const { rows } = await q.query<MessageRow>(
    `SELECT * FROM chat_messages WHERE room_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
      ORDER BY seq DESC LIMIT $3`,
    [roomId, beforeSeq, limit],
  );
  return rows;
}

/** Oldest first, above `afterSeq`. */
export async function listMessagesAfter(
  q: Queryable,
  roomId: string,
  afterSeq: string,
  limit: number,
): Promise<MessageRow[]> {
  const { rows } = await q.query<MessageRow>(
    "SELECT * FROM chat_messages WHERE room_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3",
    [roomId, afterSeq, limit],
  );
  return rows;
}

export async function latestSeq(q: Queryable, roomId: string): Promise<string> {
  const { rows } = await q.query<{ seq: string | null }>(
    "SELECT max(seq) AS seq FROM chat_messages WHERE room_id = $1",
    [roomId],
  );
  return rows[0]?.seq ?? "0";
}

/** Moves the member's read position forward (never back) to `seq`; returns the unread count after. */
export async function markReadUpTo(
  q: Queryable,
  roomId: string,
  userId: string,
  seq: string,
): Promise<number> {
  const { rows } = await q.query<{ unread: string }>(
    `WITH moved AS (
       UPDATE chat_members SET last_read_seq = GREATEST(last_read_seq, $3::bigint)
        WHERE room_id = $1 AND user_id = $2 RETURNING last_read_seq
     )
     SELECT count(m.id) AS unread FROM moved
       LEFT JOIN chat_messages m ON m.room_id = $1 AND m.seq > moved.last_read_seq AND m.sender_id <> $2`,
    [roomId, userId, seq],
  );
  return Number(rows[0]?.unread ?? 0);
}
