import type { OrderListQuery, Page, TradingOrder } from "@softchat/contracts";
import { socketRooms } from "@softchat/contracts";
import { type AuditActor, recordAudit } from "../../platform/audit/index.js";
import type { Actor } from "../../platform/auth/tokens.js";
import type { Transaction } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/errors.js";
import { emitAfterCommit } from "../../platform/outbox/index.js";
import { voidHold } from "../wallet/ledger/index.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { PairSpec } from "./engine/pairs.js";
import { presentOrder } from "./presenters.js";
import { findOrder, listOrders, lockOrder, type OrderRecord, requestCancel, saveOrder } from "./repo.js";
import type { Trading } from "./runtime.js";

/** How long a cancel waits for the pair's engine before answering 202 with the order as it stands. */
const CANCEL_WAIT_MS = 3000;

/**
 * Cancels an order (the owner or an admin). One the engine has not seen yet is canceled at once; a resting
 * one is cancelled by its pair's engine, which this waits a moment for: 200 with the canceled order, or 202
 * with the order as it stands while the cancel is still on its way. 409 for an order already over.
 */
export async function cancelOrder(
  trading: Trading,
  actor: Actor,
  audit: AuditActor,
  orderId: string,
): Promise<{ status: 200 | 202; order: TradingOrder }> {
  const { ctx } = trading;
  const first = await ctx.db.transaction(async (tx) => {
    const { order: o, pair } = owned(trading, actor, await lockOrder(tx, orderId));
    if (o.status === "canceled") return { order: presentOrder(pair, o), done: true };
    if (o.status !== "new" && o.status !== "partially_filled") {
      throw new AppError("conflict", `The order is already ${o.status}`, { status: o.status });
    }
    await recordAudit(tx, {
      ...audit,
      action: "trading.order.cancel",
      subjectType: "order",
      subjectId: o.id,
    });
    if (o.seq === null) return { order: await cancelUnseen(trading, tx, pair, o), done: true };
    if (await requestCancel(tx, o.id)) {
      tx.afterCommit(() =>
        trading.enqueue({ pairId: o.pairId, commands: [{ orderId: o.id, kind: "cancel" }] }),
      );
    }
    return { order: presentOrder(pair, o), done: false };
  });
  if (first.done) return { status: 200, order: first.order };
  const deadline = Date.now() + CANCEL_WAIT_MS;
  let order = first.order;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = await getOrder(trading, actor, orderId);
    order = now;
    if (now.status !== "new" && now.status !== "partially_filled") return { status: 200, order };
  }
  return { status: 202, order };
}

/** Cancels an order its engine never saw (still waiting, or parked): its whole hold is released. */
async function cancelUnseen(trading: Trading, tx: Transaction, pair: PairSpec, o: OrderRecord) {
  if (o.holdId !== null) await voidHold(trading.ctx, tx, o.holdId);
  o.status = "canceled";
  o.reason = "user";
  o.holdId = null;
  o.holdAmount = 0n;
  o.updatedAt = new Date();
  await saveOrder(tx, o);
  const order = presentOrder(pair, o);
  await emitOrderUpdate(trading, tx, o.userId, order);
  return order;
}

/** One order: its owner or an admin. */
export async function getOrder(trading: Trading, actor: Actor, orderId: string): Promise<TradingOrder> {
  const { order, pair } = owned(trading, actor, await findOrder(trading.ctx.db, orderId));
  return presentOrder(pair, order);
}

/** The actor's own orders, newest first. */
export async function myOrders(
  trading: Trading,
  actor: Actor,
  query: OrderListQuery,
): Promise<Page<TradingOrder>> {
  const after = query.cursor ? decodeCursor(query.cursor, 2) : null;
  const rows = await listOrders(trading.ctx.db, actor.userId, {
    status: query.status,
    pairId: query.pairId,
    after: after ? [after[0] ?? "", after[1] ?? ""] : null,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const items: TradingOrder[] = [];
  for (const o of page) {
    const pair = trading.pairs.get(o.pairId);
    if (pair) items.push(presentOrder(pair, o));
  }
  return {
    items,
    nextCursor:
      rows.length > query.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
  };
}

/** The order with its pair, when it exists (404) and the actor owns it or is an admin (403). */
function owned(
  trading: Trading,
  actor: Actor,
  o: OrderRecord | null,
): { order: OrderRecord; pair: PairSpec } {
  if (!o) throw notFound("Order");
  if (o.userId !== actor.userId && actor.role !== "admin")
    throw new AppError("forbidden", "This order is not yours");
  const pair = trading.pairs.get(o.pairId);
  if (!pair) throw notFound(`Pair ${o.pairId}`);
  return { order: o, pair };
}

export function emitOrderUpdate(trading: Trading, tx: Transaction, userId: string, order: TradingOrder) {
  return emitAfterCommit(trading.ctx.outbox, tx, {
    rooms: [socketRooms.user(userId)],
    event: "order_update",
    data: { orderId: order.id, status: order.status, data: order },
  });
}
