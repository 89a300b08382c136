import { socketRooms } from "@softchat/contracts";
import { recordAudit, SYSTEM_ACTOR } from "../../platform/audit/index.js";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import type { SocketEmit } from "../../platform/outbox/index.js";
import { emitManyAfterCommit } from "../../platform/realtime/index.js";
import { type NotificationInput, notifyMany } from "../notifications/service.js";
import { lotsToBaseMinor, lotsToQuantity, type PairSpec, tickLotsToQuoteMinor } from "./engine/pairs.js";
import { averagePrice, presentOrder, presentTrade, type TradeRecord } from "./presenters.js";
import type { OrderRecord } from "./repo.js";

/**
 * Outbox topic published with every settled batch that filled: the cumulative fill state of each order it
 * filled, `{ fills: [{ orderId, userId, side, base, quote, filledBase, quoteTotal, at }] }` in minor units
 * (`quoteTotal`: quote paid, fees included, by a buy; received, fees taken off, by a sell). Cumulative, so
 * a repeat (delivery is at least once) or an older state after a newer one tells nothing new.
 */
export const FILLS_SETTLED_TOPIC = "trading.fills_settled";

/** An order as a batch of commands left it, with what it filled in that batch. */
export interface SettledOrder {
  order: OrderRecord;
  lots: number;
  tickLots: bigint;
}

/**
 * Everything a settled batch of commands tells, written in its transaction so it goes out after the commit (or not
 * at all): `order_update` to each owner's devices, `trade` to the pair's room, a notification per order
 * that filled (or was rejected), and an audit row for the fills.
 */
export async function announceSettlement(
  ctx: Pick<AppContext, "outbox">,
  tx: Transaction,
  pair: PairSpec,
  settled: { seq: bigint; orders: SettledOrder[]; trades: TradeRecord[]; fees: bigint },
): Promise<void> {
  const emits: SocketEmit[] = settled.orders.map(({ order: o }) => {
    const order = presentOrder(pair, o);
    return {
      rooms: [socketRooms.user(o.userId)],
      event: "order_update",
      data: { orderId: order.id, status: order.status, data: order },
    };
  });
  for (const trade of settled.trades) {
    emits.push({
      rooms: [socketRooms.tradingPair(pair.pairId)],
      event: "trade",
      data: presentTrade(pair, trade),
    });
  }
  await emitManyAfterCommit(ctx.outbox, tx, emits);
  const filled = settled.orders.filter((s) => s.lots > 0);
  if (filled.length > 0) {
    const at = new Date().toISOString();
    // Delivered by this node right after the commit: no claim and no delivered mark per batch (the marks
    // go in bulk), and a node that dies first leaves the event to a poller once its lease runs out.
    await ctx.outbox.publish(
      tx,
      FILLS_SETTLED_TOPIC,
      { fills: filled.map((s) => fillState(pair, s.order, at)) },
      { deliverHere: true },
    );
  }
  const notices: NotificationInput[] = [];
  for (const s of settled.orders) {
    if (s.lots > 0) notices.push(fillNotice(pair, s));
    else if (s.order.status === "rejected") notices.push(rejectedNotice(pair, s.order));
  }
  await notifyMany(ctx, tx, notices);
  if (settled.trades.length > 0) {
    await recordAudit(tx, {
      ...SYSTEM_ACTOR,
      action: "trading.settle",
      subjectType: "pair",
      subjectId: pair.pairId,
      after: {
        seq: settled.seq.toString(),
        trades: settled.trades.map((t) => presentTrade(pair, t)),
        orders: settled.orders.map((s) => ({
          id: s.order.id,
          status: s.order.status,
          filledLots: s.order.filledLots,
        })),
        feesMinor: settled.fees.toString(),
      },
    });
  }
}

/** An order's fills so far as the ledger settled them (see order-funding.ts: rounded once, cumulatively). */
function fillState(pair: PairSpec, o: OrderRecord, at: string) {
  const tickLots = o.takerTickLots + o.makerTickLots;
  const fees = o.pctFee + o.fixedFee;
  const quoteTotal =
    o.side === "buy"
      ? tickLotsToQuoteMinor(pair, tickLots, "ceil") + fees
      : tickLotsToQuoteMinor(pair, tickLots, "floor") - fees;
  return {
    orderId: o.id,
    userId: o.userId,
    side: o.side,
    base: pair.base,
    quote: pair.quote,
    filledBase: lotsToBaseMinor(pair, o.filledLots).toString(),
    quoteTotal: quoteTotal.toString(),
    at,
  };
}

function fillNotice(pair: PairSpec, s: SettledOrder): NotificationInput {
  const o = s.order;
  const quantity = lotsToQuantity(pair, s.lots);
  const price = averagePrice(pair, s.tickLots, s.lots);
  return {
    userId: o.userId,
    type: "trade",
    title: o.status === "filled" ? "Order filled" : "Order partly filled",
    body: `${o.side === "buy" ? "Bought" : "Sold"} ${quantity} ${pair.base} at ${price} ${pair.quote} (${pair.base}/${pair.quote})`,
    priority: "normal",
    data: { orderId: o.id, pairId: pair.pairId, status: o.status, quantity, price },
  };
}

function rejectedNotice(pair: PairSpec, o: OrderRecord): NotificationInput {
  return {
    userId: o.userId,
    type: "order",
    title: "Order rejected",
    body: `Your ${o.side} order on ${pair.base}/${pair.quote} was rejected (${o.reason ?? "rejected"}); its funds are released.`,
    priority: "normal",
    data: { orderId: o.id, pairId: pair.pairId, reason: o.reason },
  };
}
