import { randomUUID } from "node:crypto";
import type { AppContext } from "../../platform/context.js";
import { deferWrite, type Transaction } from "../../platform/db/index.js";
import { executeOperations, type LedgerOp, resolveOps, type TransferSpec } from "../wallet/ledger/index.js";
import { lotsToBaseMinor, type PairSpec } from "./engine/pairs.js";
import type { EngineEvent, FillEvent } from "./engine/types.js";
import { chargeFills, type FillCharge, type FillTotals } from "./order-funding.js";
import { insertTrades, type TradeInsert } from "./pipeline/journal.js";
import type { TradeRecord } from "./presenters.js";
import { type OrderRecord, saveOrders, saveOrdersWrite } from "./repo.js";
import { announceSettlement, type SettledOrder } from "./settlement-events.js";

/** What one order went through in one command: its fills and where it ended up. */
interface Touch extends SettledOrder {
  before: FillTotals;
  final: boolean;
  /** Why a taker's rest did not reach the book. */
  stopReason: string | null;
}

export interface SettledCommand {
  orders: OrderRecord[];
  trades: TradeRecord[];
}

/** One engine command of a batch: its number and the events the engine answered it with. */
export interface ExecutedCommand {
  seq: bigint;
  events: EngineEvent[];
}

type SettleContext = Pick<AppContext, "outbox">;

/**
 * Settles the events of a batch of engine commands inside their transaction, so the ledger, the orders and
 * the events all commit with the commands' numbers or not at all. Each order's fills across the whole batch
 * are charged once (fees are cumulative per order, so one charge for three fills costs what three would),
 * and become linked ledger transfers: the order's hold is posted for what its fills consumed (and the rest
 * held again while the order stays open, or released when it is over), and the exchange settlement account
 * pays the base to buyers, the proceeds to sellers and the fees to the fee account, ending at zero.
 * `alsoSave` are orders the batch changed without events (a cancel that found its order already gone),
 * written with the others.
 */
export async function settleBatch(
  ctx: SettleContext,
  tx: Transaction,
  pair: PairSpec,
  commands: readonly ExecutedCommand[],
  orders: ReadonlyMap<string, OrderRecord>,
  alsoSave: readonly OrderRecord[] = [],
): Promise<SettledCommand> {
  const last = commands.at(-1);
  if (!last) {
    await saveOrders(tx, alsoSave);
    return { orders: [], trades: [] };
  }
  const seq = last.seq;
  const touches = collectTouches(
    pair,
    commands.flatMap((c) => c.events),
    orders,
  );
  const ops: LedgerOp[] = [];
  const holds: LedgerOp[] = [];
  const payouts: TransferSpec[] = [];
  let quoteIn = 0n;
  let quoteOut = 0n;
  const charges = new Map<string, FillCharge>();
  for (const t of touches.values()) {
    const charge = chargeOf(pair, t);
    charges.set(t.order.id, charge);
    moveHold(t, charge, seq, ops, holds);
    if (t.lots === 0) continue;
    const meta = { orderId: t.order.id, pairId: pair.pairId, seq: seq.toString() };
    if (t.order.side === "buy") {
      quoteIn += charge.quote;
      payouts.push(payout({ userId: t.order.userId }, pair.base, lotsToBaseMinor(pair, t.lots), meta));
    } else {
      quoteOut += charge.quote;
      if (charge.quote > 0n) payouts.push(payout({ userId: t.order.userId }, pair.quote, charge.quote, meta));
    }
  }
  // Rounding can leave the fee account paying a unit back now and then; the settlement account nets zero.
  const feeLeg = quoteIn - quoteOut;
  const feeMeta = { pairId: pair.pairId, seq: seq.toString() };
  if (feeLeg > 0n) payouts.push({ ...payout({ system: "fees" }, pair.quote, feeLeg, feeMeta), kind: "fee" });
  if (feeLeg < 0n) {
    payouts.push({
      from: { system: "fees" },
      to: { system: "exchange_settlement" },
      asset: pair.quote,
      amount: -feeLeg,
      kind: "fee",
      metadata: feeMeta,
    });
  }
  if (payouts.length > 0) ops.push({ type: "transfers", operationId: randomUUID(), transfers: payouts });

  const now = new Date();
  for (const t of touches.values()) {
    applyToOrder(t, charges.get(t.order.id));
    t.order.updatedAt = now;
  }
  const trades = await recordTrades(tx, pair, commands);
  await announceSettlement(ctx, tx, pair, { seq, orders: [...touches.values()], trades, fees: feeLeg });
  // The ledger comes late: its account locks are wanted by order intake (the same traders' holds), so they
  // are taken near the commit rather than held through the writes above. A refused operation still undoes
  // everything, as the whole batch is one transaction. The orders follow it, as they name its new holds.
  if (ops.length + holds.length > 0) {
    const outcomes = await executeOperations(ctx, tx, resolveOps([...ops, ...holds]), {
      createMissing: true,
      deferWrites: true,
    });
    for (const outcome of outcomes) if (!outcome.ok) throw outcome.error;
  }
  // Written with the ledger's writes at commit, in one statement: the orders name the holds it opens.
  const settled = [...touches.values()].map((t) => t.order);
  const changed = [...settled, ...alsoSave.filter((o) => !touches.has(o.id))];
  if (changed.length > 0) {
    const { sql, params } = saveOrdersWrite(changed);
    deferWrite(tx, sql, params);
  }
  return { orders: settled, trades };
}

function payout(
  to: TransferSpec["to"],
  asset: TransferSpec["asset"],
  amount: bigint,
  metadata: Record<string, unknown>,
): TransferSpec {
  return { from: { system: "exchange_settlement" }, to, asset, amount, kind: "trade", metadata };
}

function collectTouches(
  pair: PairSpec,
  events: EngineEvent[],
  orders: ReadonlyMap<string, OrderRecord>,
): Map<string, Touch> {
  const touches = new Map<string, Touch>();
  const touch = (id: string): Touch => {
    let t = touches.get(id);
    if (!t) {
      const order = orders.get(id);
      if (!order) throw new Error(`order ${id} of ${pair.pairId} was not loaded`);
      const before = {
        takerTickLots: order.takerTickLots,
        makerTickLots: order.makerTickLots,
        fills: order.fills,
      };
      t = { order, before, lots: 0, tickLots: 0n, final: false, stopReason: null };
      touches.set(id, t);
    }
    return t;
  };
  for (const e of events) {
    if (e.type === "fill") {
      const tickLots = BigInt(e.price) * BigInt(e.quantity);
      const maker = touch(e.makerOrderId);
      addFill(maker, e, tickLots, "maker");
      if (e.makerRemaining === 0) finish(maker, "filled", null);
      else maker.order.status = "partially_filled";
      addFill(touch(e.takerOrderId), e, tickLots, "taker");
    } else if (e.type === "canceled") {
      const t = touch(e.orderId);
      if (e.resting) finish(t, "canceled", e.reason);
      else t.stopReason = e.reason;
    } else if (e.type === "rejected") {
      const t = touch(e.orderId);
      // A cancel the book does not know: the order cannot be resting, so it is over all the same.
      if (e.command === "cancel") finish(t, "canceled", "user");
      else finish(t, "rejected", e.reason);
    } else if (e.type === "done") {
      const t = touch(e.orderId);
      if (e.resting > 0) t.order.status = t.order.filledLots + t.lots > 0 ? "partially_filled" : "new";
      else if (e.canceled > 0) {
        const reason = t.stopReason ?? "canceled";
        finish(t, reason === "self_trade" ? "canceled" : "expired", reason);
      } else finish(t, "filled", null);
    }
  }
  return touches;
}

function addFill(t: Touch, e: FillEvent, tickLots: bigint, role: "maker" | "taker"): void {
  t.lots += e.quantity;
  t.tickLots += tickLots;
  if (role === "maker") t.order.makerTickLots += tickLots;
  else t.order.takerTickLots += tickLots;
  t.order.fills += 1;
}

function finish(t: Touch, status: OrderRecord["status"], reason: string | null): void {
  t.order.status = status;
  t.order.reason = reason;
  t.final = true;
}

function chargeOf(pair: PairSpec, t: Touch): FillCharge {
  const o = t.order;
  if (t.lots === 0) return { consumed: 0n, quote: 0n, pctFee: 0n, fixedFee: 0n };
  const after = { takerTickLots: o.takerTickLots, makerTickLots: o.makerTickLots, fills: o.fills };
  const funded = {
    side: o.side,
    boundTicks: o.priceTicks ?? o.protectionTicks,
    quantityLots: o.quantityLots,
    holdTotal: o.holdTotal,
    pctFee: o.pctFee,
    fixedFee: o.fixedFee,
  };
  const charge = chargeFills(pair, funded, t.before, after, t.lots);
  if (charge.consumed > o.holdAmount) {
    throw new Error(
      `the hold of order ${o.id} (${o.holdAmount}) cannot cover its fills (${charge.consumed})`,
    );
  }
  return charge;
}

/** Posts what the fills consumed; holds the rest again while the order stays open, else releases it. */
function moveHold(t: Touch, charge: FillCharge, seq: bigint, ops: LedgerOp[], holds: LedgerOp[]): void {
  const o = t.order;
  if (!t.final && charge.consumed === 0n) return;
  if (o.holdId === null) throw new Error(`order ${o.id} has no open hold`);
  const metadata = { orderId: o.id, seq: seq.toString() };
  if (charge.consumed > 0n) {
    ops.push({
      type: "post",
      operationId: randomUUID(),
      holdId: o.holdId,
      amount: charge.consumed,
      metadata,
    });
  } else {
    ops.push({ type: "void", operationId: randomUUID(), holdId: o.holdId });
  }
  const rest = o.holdAmount - charge.consumed;
  if (t.final || rest === 0n) {
    o.holdId = null;
    o.holdAmount = 0n;
    return;
  }
  const holdId = randomUUID();
  holds.push({
    type: "transfers",
    operationId: randomUUID(),
    transfers: [
      {
        id: holdId,
        from: { userId: o.userId },
        to: { system: "exchange_settlement" },
        asset: o.holdAsset,
        amount: rest,
        kind: "trade",
        metadata: { orderId: o.id, pairId: o.pairId },
        pending: {},
      },
    ],
  });
  o.holdId = holdId;
  o.holdAmount = rest;
}

function applyToOrder(t: Touch, charge: FillCharge | undefined): void {
  t.order.filledLots += t.lots;
  if (!charge) return;
  t.order.pctFee += charge.pctFee;
  t.order.fixedFee += charge.fixedFee;
}

async function recordTrades(tx: Transaction, pair: PairSpec, commands: readonly ExecutedCommand[]) {
  const rows: TradeInsert[] = [];
  for (const { seq, events } of commands) {
    let fillIndex = 0;
    for (const e of events) {
      if (e.type !== "fill") continue;
      rows.push({
        id: randomUUID(),
        pairId: pair.pairId,
        seq,
        fillIndex: fillIndex++,
        priceTicks: e.price,
        quantityLots: e.quantity,
        takerSide: e.takerSide,
        makerOrderId: e.makerOrderId,
        takerOrderId: e.takerOrderId,
      });
    }
  }
  const createdAt = (await insertTrades(tx, rows)) ?? new Date();
  return rows.map((r): TradeRecord => ({ ...r, createdAt }));
}
