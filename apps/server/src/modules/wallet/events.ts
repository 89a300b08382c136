import type { Asset, NotificationType, WalletTransfer } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import { emitAfterCommit, type SocketEmit } from "../../platform/outbox/index.js";
import { emitManyAfterCommit } from "../../platform/realtime/index.js";
import { notify } from "../notifications/service.js";
import { formatAmount } from "./assets.js";

type EventContext = Pick<AppContext, "outbox">;

/** Outbox topic of every outflow (for AML monitoring); payload `OutflowEvent`. */
export const OUTFLOW_TOPIC = "wallet.outflow";
/** Outbox topic of every completed deposit (for AML monitoring); payload `DepositCompletedEvent`. */
export const DEPOSIT_COMPLETED_TOPIC = "wallet.deposit_completed";
/** Outbox topic of holds the sweeper expired, for the modules that placed them; payload `{ holdId, kind }`. */
export const HOLD_EXPIRED_TOPIC = "wallet.hold_expired";

/** Amounts and cents are decimal strings of integers (minor units, US cents). */
export interface OutflowEvent {
  userId: string;
  kind: "transfer" | "withdrawal";
  asset: Asset;
  amount: string;
  usdCents: string;
  limitUsdCents: string;
  recipientId: string | null;
  transactionId: string;
  at: string;
}

export interface DepositCompletedEvent {
  userId: string;
  asset: Asset;
  amount: string;
  usdCents: string;
  transactionId: string;
  at: string;
}

export function publishOutflow(ctx: EventContext, tx: Transaction, event: OutflowEvent): Promise<void> {
  return ctx.outbox.publish(tx, OUTFLOW_TOPIC, event);
}

export function publishDepositCompleted(
  ctx: EventContext,
  tx: Transaction,
  event: DepositCompletedEvent,
): Promise<void> {
  return ctx.outbox.publish(tx, DEPOSIT_COMPLETED_TOPIC, event);
}

/** `transaction_complete {transactionId, details}` for everyone involved. */
export function transactionComplete(
  userIds: string[],
  transactionId: string,
  details: Record<string, unknown>,
): SocketEmit {
  return {
    rooms: userIds.map((id) => `user:${id}`),
    event: "transaction_complete",
    data: { transactionId, details },
  };
}

/** `transfer_update {transferId, status}` (a transfer, deposit or withdrawal changed status). */
export function transferUpdate(userIds: string[], transferId: string, status: string): SocketEmit {
  return { rooms: userIds.map((id) => `user:${id}`), event: "transfer_update", data: { transferId, status } };
}

/** Queues socket events for after commit, as one outbox row. */
export function emitAll(ctx: EventContext, tx: Transaction, emits: SocketEmit[]): Promise<void> {
  return emits.length === 1 && emits[0]
    ? emitAfterCommit(ctx.outbox, tx, emits[0])
    : emitManyAfterCommit(ctx.outbox, tx, emits);
}

/** A wallet notification of a given type, with the amount spelled out. */
export async function notifyMoney(
  ctx: EventContext,
  tx: Transaction,
  n: {
    userId: string;
    type: NotificationType;
    title: string;
    asset: Asset;
    amount: bigint;
    text: string;
    data: Record<string, unknown>;
    priority?: "normal" | "high";
  },
): Promise<void> {
  await notify(ctx, tx, {
    userId: n.userId,
    type: n.type,
    title: n.title,
    body: n.text.replace("{amount}", `${formatAmount(n.asset, n.amount)} ${n.asset}`),
    priority: n.priority ?? "normal",
    data: n.data,
  });
}

/** Everything that tells both sides of a transfer between users about it. */
export async function announceTransfer(
  ctx: EventContext,
  tx: Transaction,
  transfer: WalletTransfer,
  t: { asset: Asset; amount: bigint; fromName: string; toName: string },
): Promise<void> {
  const parties = [transfer.from, transfer.to];
  await emitAll(ctx, tx, [
    transactionComplete(parties, transfer.id, { type: "transfer", ...transfer }),
    transferUpdate(parties, transfer.id, transfer.status),
  ]);
  const data = { transferId: transfer.id, asset: transfer.asset, amount: transfer.amount };
  await notifyMoney(ctx, tx, {
    userId: transfer.from,
    type: "transfer",
    title: "Transfer sent",
    asset: t.asset,
    amount: t.amount,
    text: `You sent {amount} to ${t.toName}`,
    data,
  });
  await notifyMoney(ctx, tx, {
    userId: transfer.to,
    type: "transfer",
    title: "Money received",
    asset: t.asset,
    amount: t.amount,
    text: `${t.fromName} sent you {amount}`,
    data,
  });
}
