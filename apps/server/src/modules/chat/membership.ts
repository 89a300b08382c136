import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import type { RealtimeGateway } from "../../platform/realtime/index.js";

/** Outbox topic: users joined or left a room (their sockets follow, the room hears about it). */
export const CHAT_MEMBERSHIP_TOPIC = "chat.membership";

export interface MembershipChange {
  roomId: string;
  userIds: string[];
  change: "joined" | "left";
}

/** Records a membership change in the transaction; sockets and the room learn of it after commit. */
export async function publishMembership(
  ctx: Pick<AppContext, "outbox">,
  tx: Transaction,
  change: MembershipChange,
): Promise<void> {
  if (change.userIds.length === 0) return;
  await ctx.outbox.publish(tx, CHAT_MEMBERSHIP_TOPIC, change);
}

/**
 * Applies committed membership changes to sockets on every node: joiners' devices enter `room:{id}` and
 * then everyone there hears `user_joined`; for a leave the room hears `user_left` first (the leaver's other
 * devices included) and then the leaver's devices are taken out, so nothing of the room reaches them after.
 */
export function applyMembershipChange(realtime: RealtimeGateway, change: MembershipChange): void {
  const room = `room:${change.roomId}`;
  const userRooms = change.userIds.map((id) => `user:${id}`);
  if (change.change === "joined") {
    realtime.io.in(userRooms).socketsJoin(room);
    for (const userId of change.userIds)
      realtime.emit(room, "user_joined", { roomId: change.roomId, userId });
  } else {
    for (const userId of change.userIds) realtime.emit(room, "user_left", { roomId: change.roomId, userId });
    realtime.io.in(userRooms).socketsLeave(room);
  }
}

export function isMembershipChange(value: unknown): value is MembershipChange {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<MembershipChange>;
  return (
    typeof v.roomId === "string" &&
    Array.isArray(v.userIds) &&
    v.userIds.every((id) => typeof id === "string") &&
    (v.change === "joined" || v.change === "left")
  );
}
