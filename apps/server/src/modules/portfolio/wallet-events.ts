import { randomUUID } from "node:crypto";
import { ASSETS, type Asset } from "@softchat/contracts";
import { z } from "zod";
import type { AppContext } from "../../platform/context.js";
import { DEPOSIT_COMPLETED_TOPIC, OUTFLOW_TOPIC } from "../wallet/index.js";
import { recordActivities } from "./book.js";
import type { NewActivity } from "./repo.js";

const asset = z.enum(ASSETS as [Asset, ...Asset[]]);
const minor = z.string().regex(/^\d{1,40}$/);
const depositSchema = z.object({
  userId: z.string(),
  asset,
  amount: minor,
  usdCents: minor,
  transactionId: z.string(),
  at: z.string(),
});
const outflowSchema = z.object({
  userId: z.string(),
  kind: z.enum(["transfer", "withdrawal"]),
  asset,
  amount: minor,
  usdCents: minor,
  recipientId: z.string().nullable(),
  transactionId: z.string(),
  at: z.string(),
});

/**
 * Deposits and transfers as portfolio activities, from the wallet's events. The choice for money that
 * arrives without a trade: a deposit or an incoming transfer opens a lot at its market value when it
 * arrived (the USD value the wallet computed with the live price, rounded up to the cent), so the P&L
 * measures from that moment. A withdrawal or an outgoing transfer takes lots oldest first without
 * realizing a gain (it is not a sale); a withdrawal that later fails brings its funds back as quantity of
 * unknown cost. USD movements open no lots: USD is the unit of account.
 */
export function installWalletActivities(ctx: AppContext, onRecorded: (userId: string) => void): void {
  const record = async (userId: string, activity: Omit<NewActivity, "id">) => {
    if (activity.asset === "USD") return;
    const changed = await ctx.db.transaction((tx) =>
      recordActivities(tx, userId, [{ id: randomUUID(), ...activity }]),
    );
    if (changed) onRecorded(userId);
  };
  ctx.outbox.on(DEPOSIT_COMPLETED_TOPIC, async (event) => {
    const d = depositSchema.safeParse(event.payload);
    if (!d.success)
      return ctx.logger.warn({ topic: event.topic }, "unreadable deposit event ignored by the portfolio");
    await record(d.data.userId, {
      sourceKey: `deposit:${d.data.transactionId}`,
      kind: "deposit",
      asset: d.data.asset,
      quantity: BigInt(d.data.amount),
      usdCents: BigInt(d.data.usdCents),
      occurredAt: new Date(d.data.at),
    });
  });
  ctx.outbox.on(OUTFLOW_TOPIC, async (event) => {
    const o = outflowSchema.safeParse(event.payload);
    if (!o.success)
      return ctx.logger.warn({ topic: event.topic }, "unreadable outflow event ignored by the portfolio");
    const { data } = o;
    const common = { asset: data.asset, quantity: BigInt(data.amount), occurredAt: new Date(data.at) };
    await record(data.userId, {
      ...common,
      sourceKey: `${data.kind}-out:${data.transactionId}`,
      kind: data.kind === "transfer" ? "transfer_out" : "withdrawal",
      usdCents: null,
    });
    if (data.kind === "transfer" && data.recipientId) {
      await record(data.recipientId, {
        ...common,
        sourceKey: `transfer-in:${data.transactionId}`,
        kind: "transfer_in",
        usdCents: BigInt(data.usdCents),
      });
    }
  });
}
