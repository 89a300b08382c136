import type { AppContext } from "../../platform/context.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/errors.js";
import * as repo from "./repo.js";

/** Throws 403 `not_a_member` unless `userId` belongs to the room (404 when there is no such room). */
export async function assertMember(q: Queryable, roomId: string, userId: string): Promise<void> {
  if (await repo.findMember(q, roomId, userId)) return;
  if (!(await repo.findRoom(q, roomId))) throw notFound("Room");
  throw new AppError("not_a_member", "You are not a member of this room");
}

/** Ids of the rooms `userId` belongs to (their sockets join `room:{id}` for each). */
export function roomIdsOf(ctx: Pick<AppContext, "db">, userId: string): Promise<string[]> {
  return repo.listRoomIdsOf(ctx.db, userId);
}

/**
 * The audience of each user's presence, as socket rooms: `room:{id}` of every room or DM they belong to.
 * Every connected device of a member is in its rooms' socket rooms, so one broadcast per room reaches
 * exactly the people who share a room with the user, on every node, with no per-contact lookup.
 */
export async function presenceAudiencesOf(
  ctx: Pick<AppContext, "db">,
  userIds: readonly string[],
): Promise<Map<string, string[]>> {
  const audiences = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return audiences;
  for (const { user_id, room_id } of await repo.listMembershipsOf(ctx.db, userIds)) {
    audiences.get(user_id)?.push(`room:${room_id}`);
  }
  return audiences;
}

/** Whether two users share a room or DM. */
export function shareARoom(ctx: Pick<AppContext, "db">, a: string, b: string): Promise<boolean> {
  return repo.sharesRoom(ctx.db, a, b);
}
