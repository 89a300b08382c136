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

/**
 * Stores the messages of senders who are members of their rooms, in the given order, in ONE statement:
 * membership check, the rooms' row locks, the inserts. A message whose sender is not a member (or whose
 * room does not exist), or whose sender already sent its clientId to its room, is not stored and returns no
 * row; the caller tells which it was.
 *
 * The rooms are locked in id order (so two batches sharing rooms cannot deadlock) before any row is inserted:
 * the insert reads the locked rooms through a sort, which takes all its input first. Senders to a room queue
 * on that lock until the previous sender commits, so each seq is drawn after the previous sender's commit and
 * seq order is commit order within a room.
 */
export async function storeMessages(tx: Transaction, messages: readonly NewMessage[]): Promise<MessageRow[]> {
  const { rows } = await tx.query<MessageRow>(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[])
              WITH ORDINALITY AS m(id, room_id, sender_id, text, client_id, ord)
     ), allowed AS (
       SELECT i.* FROM input i
         JOIN chat_members cm ON cm.room_id = i.room_id AND cm.user_id = i.sender_id
     ), locked AS (
       UPDATE chat_rooms SET last_message_at = now()
        WHERE id IN (SELECT id FROM chat_rooms WHERE id IN (SELECT room_id FROM allowed) ORDER BY id FOR UPDATE)
        RETURNING id
     )
     INSERT INTO chat_messages (id, room_id, sender_id, text, client_id)
     SELECT a.id, a.room_id, a.sender_id, a.text, a.client_id FROM allowed a
      WHERE a.room_id IN (SELECT id FROM locked)
      ORDER BY a.ord
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
