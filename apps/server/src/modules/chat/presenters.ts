import type { ChatMessage, ChatRoom, ChatRoomSummary } from "@softchat/contracts";
import type { MessageRow, RoomRow, RoomSummaryRow } from "./repo.js";

export function presentMessage(row: MessageRow): ChatMessage {
  return {
    id: row.id,
    roomId: row.room_id,
    senderId: row.sender_id,
    text: row.text,
    clientId: row.client_id,
    seq: String(row.seq),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The other member of a DM, read from its pair key. */
export function dmPeerOf(row: Pick<RoomRow, "dm_key">, viewerId: string): string | null {
  if (!row.dm_key) return null;
  const [a, b] = row.dm_key.split(":");
  return (a === viewerId ? b : a) ?? null;
}

/** `peerName` names a DM after the other member, as the viewer sees it. */
export function presentRoom(row: RoomRow, viewerId: string, peerName?: string): ChatRoom {
  const peerId = dmPeerOf(row, viewerId);
  return {
    id: row.id,
    name: peerId && peerName ? peerName : row.name,
    type: row.type,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    memberCount: Number(row.member_count),
    peerId,
  };
}

export function presentRoomSummary(
  row: RoomSummaryRow,
  viewerId: string,
  peerName?: string,
): ChatRoomSummary {
  const lastMessage =
    row.lm_id && row.lm_seq && row.lm_sender_id && row.lm_text !== null && row.lm_created_at
      ? presentMessage({
          id: row.lm_id,
          seq: row.lm_seq,
          room_id: row.id,
          sender_id: row.lm_sender_id,
          text: row.lm_text,
          client_id: row.lm_client_id,
          created_at: row.lm_created_at,
        })
      : null;
  return { ...presentRoom(row, viewerId, peerName), unreadCount: Number(row.unread_count), lastMessage };
}
