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

/** Everyone sharing a room or DM with `userId`: the audience of their presence. */
export function contactIdsOf(ctx: Pick<AppContext, "db">, userId: string): Promise<string[]> {
  return repo.listContactIds(ctx.db, userId);
}

/** Whether two users share a room or DM. */
export function shareARoom(ctx: Pick<AppContext, "db">, a: string, b: string): Promise<boolean> {
  return repo.sharesRoom(ctx.db, a, b);
}
