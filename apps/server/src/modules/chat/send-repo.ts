import type { Transaction } from "../../platform/db/index.js";
import type { MessageRow } from "./repo.js";

/** One message of a batch, with the id it will be stored under (chosen upfront to match rows to sends). */
export interface NewMessage {
  id: string;
  roomId: string;
  senderId: string;
  text: string;
  clientId: string | null;
}

/** Which of the (room, user) pairs are memberships: `${roomId}:${userId}` keys. */
export async function findMemberships(
  tx: Transaction,
  pairs: ReadonlyArray<{ roomId: string; userId: string }>,
): Promise<Set<string>> {
  const { rows } = await tx.query<{ room_id: string; user_id: string }>(
    `SELECT m.room_id, m.user_id FROM chat_members m
       JOIN unnest($1::uuid[], $2::uuid[]) AS p(room_id, user_id)
         ON m.room_id = p.room_id AND m.user_id = p.user_id`,
    [pairs.map((p) => p.roomId), pairs.map((p) => p.userId)],
  );
  return new Set(rows.map((r) => `${r.room_id}:${r.user_id}`));
}

/**
 * Takes the row locks of the rooms, in id order so two batches sharing rooms cannot deadlock, for the rest
 * of the transaction; returns the ids of the rooms that exist. Senders to a room queue here, so each seq is
 * drawn after the previous sender committed: seq order is commit order within a room.
 */
export async function lockRoomsForSend(tx: Transaction, roomIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE chat_rooms SET last_message_at = now()
      WHERE id IN (SELECT id FROM chat_rooms WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE)
      RETURNING id`,
    [roomIds],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Stores messages in the given order (their seqs follow it). A message whose sender already sent its clientId
 * to its room is not stored and returns no row.
 */
export async function insertMessages(
  tx: Transaction,
  messages: readonly NewMessage[],
): Promise<MessageRow[]> {
  const { rows } = await tx.query<MessageRow>(
    `INSERT INTO chat_messages (id, room_id, sender_id, text, client_id)
     SELECT m.id, m.room_id, m.sender_id, m.text, m.client_id
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])
            WITH ORDINALITY AS m(id, room_id, sender_id, text, client_id, ord)
      ORDER BY m.ord
     ON CONFLICT (room_id, sender_id, client_id) WHERE client_id IS NOT NULL DO NOTHING
     RETURNING *`,
    [
      messages.map((m) => m.id),
      messages.map((m) => m.roomId),
      messages.map((m) => m.senderId),
      messages.map((m) => m.text),
      messages.map((m) => m.clientId),
    ],
  );
  return rows;
}

/** Messages stored earlier under these (room, sender, clientId) keys. */
export async function findByClientIds(
  tx: Transaction,
  keys: ReadonlyArray<{ roomId: string; senderId: string; clientId: string }>,
): Promise<MessageRow[]> {
  const { rows } = await tx.query<MessageRow>(
    `SELECT c.* FROM chat_messages c
       JOIN unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(room_id, sender_id, client_id)
         ON c.room_id = k.room_id AND c.sender_id = k.sender_id AND c.client_id = k.client_id`,
    [keys.map((k) => k.roomId), keys.map((k) => k.senderId), keys.map((k) => k.clientId)],
  );
  return rows;
}
