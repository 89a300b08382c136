import { randomUUID } from "node:crypto";
import type { PlaceOrderBody, TradingOrder } from "@softchat/contracts";
import { socketRooms } from "@softchat/contracts";
import { type AuditActor, type AuditEntry, recordAudit, recordAudits } from "../../platform/audit/index.js";
import type { Actor } from "../../platform/auth/tokens.js";
import { deferWrite, type Transaction } from "../../platform/db/index.js";
import type { JobOutcome } from "../../platform/group-commit.js";
import { AppError, notFound } from "../../platform/http/errors.js";
import {
  claimMany,
  completeMany,
  errorResponse,
  type IdempotencyRequest,
  isFinalError,
  releaseMany,
  runIdempotent,
  type StoredResponse,
} from "../../platform/idempotency/index.js";
import { emitManyAfterCommit } from "../../platform/realtime/index.js";
import { getUserState, getUserStates, type UserState } from "../auth/user-directory.js";
import { applyOne, executeOperations, type LedgerOp, resolveOps } from "../wallet/ledger/index.js";
import { KYC_LIMIT_USD_CENTS } from "../wallet/limits.js";
import { formatUsd, usdCentsOf } from "../wallet/pricing.js";
import { notionalMinor } from "./engine/pairs.js";
import { orderHold } from "./order-funding.js";
import { type OrderTerms, orderTerms } from "./order-terms.js";
import type { OrderJob } from "./pipeline/engines.js";
import { presentOrder } from "./presenters.js";
import { insertOrder, insertOrdersWrite, type NewOrder } from "./repo.js";
import type { Trading } from "./runtime.js";
import { emitOrderUpdate } from "./service.js";

/** An order as it arrives over HTTP: who, from where, what, and the Idempotency-Key if one was sent. */
export interface OrderRequest {
  actor: Actor;
  audit: AuditActor;
  body: PlaceOrderBody;
  key: string | undefined;
}

/** An order request whose body has been checked against its pair. */
export interface IntakeJob extends OrderRequest {
  terms: OrderTerms;
}

export type OrderReply = StoredResponse & { replayed: boolean };

const SCOPE = "trading.order";

/**
 * Accepts an order (POST /api/trading/orders): checks it against its pair, then hands it to the intake's
 * group commit, which holds the funds of many orders and writes them in one transaction. Answers 202 with
 * the order, or the refusal (422 `insufficient_funds`, `kyc_limit_exceeded`, 403 `account_frozen`, ...).
 * A body refused by its pair is answered the way one order alone would be, its key recording the refusal.
 */
export async function acceptOrder(trading: Trading, request: OrderRequest): Promise<OrderReply> {
  let terms: OrderTerms;
  try {
    terms = await orderTerms(trading, request.body);
  } catch (err) {
    if (request.key === undefined || !(err instanceof AppError)) throw err;
    return acceptAlone(trading, request);
  }
  const { actor, audit, body, key } = request;
  return trading.intake.submit({ actor, audit, body, key, terms });
}

/**
 * One order in a transaction of its own, under the Idempotency-Key rules (replay, wait, mismatch): its
 * terms checked, its trader checked and its funds held, the order written, 202 stored under the key.
 */
function acceptAlone(trading: Trading, request: OrderRequest): Promise<OrderReply> {
  const { ctx } = trading;
  const { actor, audit, body, key } = request;
  return runIdempotent(ctx, key, { userId: actor.userId, scope: SCOPE, request: { body } }, async (claim) => {
    const p = plan({ actor, audit, body, key, terms: await orderTerms(trading, body) });
    const { pair } = p.job.terms;
    return ctx.db.transaction(async (tx) => {
      checkTrader(await getUserState(tx, actor.userId), p.usdCents);
      await applyOne(
        ctx,
        tx,
        orderHoldOp({
          userId: actor.userId,
          orderId: p.orderId,
          pairId: pair.pairId,
          holdId: p.holdId,
          funds: p.funds,
        }),
      );
      const record = await insertOrder(tx, newOrderOf(actor.userId, body, p.job.terms, p, p.funds));
      const order = presentOrder(pair, record);
      await recordAudit(tx, placementAudit(audit, order, p.holdId, p.funds));
      await emitOrderUpdate(trading, tx, record.userId, order);
      const reply = { status: 202, body: { order } };
      await claim.complete(tx, reply);
      tx.afterCommit(() =>
        trading.enqueue({ pairId: pair.pairId, commands: [{ orderId: p.orderId, kind: "place" }] }),
      );
      return reply;
    });
  });
}

/** What placing an order writes, worked out before any statement runs. */
interface Planned {
  job: IntakeJob;
  orderId: string;
  holdId: string;
  funds: { asset: NewOrder["holdAsset"]; amount: bigint };
  usdCents: bigint;
}

function plan(job: IntakeJob): Planned {
  const { pair, valueTicks, lots } = job.terms;
  return {
    job,
    orderId: randomUUID(),
    holdId: randomUUID(),
    funds: orderHold(pair, job.body.side, valueTicks, lots),
    usdCents: usdCentsOf(pair.quote, notionalMinor(pair, valueTicks, lots, "ceil")),
  };
}

/** The hold that funds an order: a pending transfer to the exchange's settlement account. */
export function orderHoldOp(p: {
  userId: string;
  orderId: string;
  pairId: string;
  holdId: string;
  funds: Planned["funds"];
}): LedgerOp {
  return {
    type: "transfers",
    operationId: randomUUID(),
    transfers: [
      {
        id: p.holdId,
        from: { userId: p.userId },
        to: { system: "exchange_settlement" },
        asset: p.funds.asset,
        amount: p.funds.amount,
        kind: "trade",
        metadata: { orderId: p.orderId, pairId: p.pairId },
        pending: {},
      },
    ],
  };
}

/** The order row of a funded order. */
export function newOrderOf(
  userId: string,
  body: PlaceOrderBody,
  terms: OrderTerms,
  ids: { orderId: string; holdId: string },
  funds: Planned["funds"],
): NewOrder {
  return {
    id: ids.orderId,
    userId,
    pairId: terms.pair.pairId,
    side: body.side,
    type: body.type,
    timeInForce: body.type === "market" ? "IOC" : (body.timeInForce ?? "GTC"),
    postOnly: body.postOnly ?? false,
    priceTicks: terms.priceTicks,
    protectionTicks: terms.protectionTicks,
    quantityLots: terms.lots,
    holdAsset: funds.asset,
    holdTotal: funds.amount,
    holdId: ids.holdId,
  };
}

/** The audit row of a placement. */
export function placementAudit(
  audit: AuditActor,
  order: TradingOrder,
  holdId: string,
  funds: Planned["funds"],
) {
  return {
    actorId: audit.actorId,
    actorRole: audit.actorRole,
    ip: audit.ip,
    requestId: audit.requestId,
    action: "trading.order.place",
    subjectType: "order",
    subjectId: order.id,
    after: { order, held: { asset: funds.asset, amount: funds.amount.toString(), holdId } },
  } satisfies AuditEntry;
}

/**
 * The trader may trade: exists, not frozen, and the order's USD value is within the KYC level's limit
 * (its notional at the limit price, at the protection price for a market buy, at the best bid for a
 * market sell, against $100, $1,000, $10,000 for levels 1 to 3).
 */
export function checkTrader(user: UserState | null | undefined, usdCents: bigint): void {
  if (!user) throw notFound("User");
  if (user.frozen) throw new AppError("account_frozen", "This account is frozen: trading is disabled");
  const limit = KYC_LIMIT_USD_CENTS[user.kycLevel];
  if (usdCents > limit) {
    throw new AppError("kyc_limit_exceeded", "This order is worth more than your verification level allows", {
      limit: formatUsd(limit),
      requested: formatUsd(usdCents),
      kycLevel: user.kycLevel,
    });
  }
}

/**
 * Writes a batch of orders in ONE transaction with a handful of statements whatever its size: their keys
 * claimed, their traders checked, their holds placed, the order rows, audit rows, `order_update` events and
 * stored responses written; after the commit each pair's engine is woken once. An order refused by a rule
 * is refused alone. An order whose key was used before, and every order of a batch the database refused,
 * goes through on its own afterwards (so a replay, a key in flight or one bad row sinks no one else).
 */
export async function acceptBatch(trading: Trading, jobs: IntakeJob[]): Promise<JobOutcome<OrderReply>[]> {
  let written: { outcomes: (JobOutcome<OrderReply> | undefined)[]; alone: number[] };
  try {
    written = await trading.ctx.db.transaction((tx) => writeBatch(trading, tx, jobs));
  } catch (err) {
    trading.ctx.logger.warn(
      { err, size: jobs.length },
      "order batch failed; accepting its orders one by one",
    );
    written = { outcomes: [], alone: jobs.map((_, i) => i) };
  }
  const { outcomes, alone } = written;
  await Promise.all(
    alone.map(async (i) => {
      const job = jobs[i];
      if (!job) return;
      try {
        outcomes[i] = { ok: true, value: await acceptAlone(trading, job) };
      } catch (error) {
        outcomes[i] = { ok: false, error };
      }
    }),
  );
  return jobs.map((_, i) => outcomes[i] ?? { ok: false, error: new Error("order batch gave no answer") });
}

async function writeBatch(trading: Trading, tx: Transaction, jobs: IntakeJob[]) {
  const { ctx } = trading;
  const owner = randomUUID();
  const outcomes: (JobOutcome<OrderReply> | undefined)[] = [];
  const keyed: Array<{ index: number; req: IdempotencyRequest }> = [];
  jobs.forEach((job, index) => {
    if (job.key === undefined) return;
    const req = { userId: job.actor.userId, key: job.key, scope: SCOPE, request: { body: job.body } };
    keyed.push({ index, req });
  });
  // Sent together: the traders of every order are read, the few whose key is refused included.
  const [claimed, users] = await Promise.all([
    claimMany(
      tx,
      keyed.map((k) => k.req),
      owner,
    ),
    getUserStates(
      tx,
      jobs.map((job) => job.actor.userId),
    ),
  ]);
  const alone = keyed.filter((_, k) => !claimed.has(k)).map((k) => k.index);
  const reqOf = new Map(keyed.filter((_, k) => claimed.has(k)).map((k) => [k.index, k.req]));
  const skip = new Set(alone);

  const batch: Array<{ index: number; planned: Planned }> = [];
  jobs.forEach((job, index) => {
    if (!skip.has(index)) batch.push({ index, planned: plan(job) });
  });
  const resolved = resolveOps(
    batch.map(({ planned: p }) =>
      orderHoldOp({
        userId: p.job.actor.userId,
        orderId: p.orderId,
        pairId: p.job.terms.pair.pairId,
        holdId: p.holdId,
        funds: p.funds,
      }),
    ),
  ).map((r, i) => {
    const p = batch[i]?.planned;
    try {
      if (p) checkTrader(users.get(p.job.actor.userId), p.usdCents);
      return r;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { ...r, invalid: err };
    }
  });
  // The holds and the order rows (which name them) go with the transaction's deferred writes, in one
  // statement at commit: the accounts stay locked for that statement and the commit alone.
  const held = await executeOperations(ctx, tx, resolved, { createMissing: true, deferWrites: true });

  const funded: Planned[] = [];
  const responses: Array<{ req: IdempotencyRequest; response: StoredResponse }> = [];
  const released: IdempotencyRequest[] = [];
  held.forEach((outcome, i) => {
    const entry = batch[i];
    if (!entry) return;
    if (outcome.ok) {
      funded.push(entry.planned);
      return;
    }
    const req = reqOf.get(entry.index);
    if (req && isFinalError(outcome.error)) {
      const response = errorResponse(outcome.error);
      responses.push({ req, response });
      outcomes[entry.index] = { ok: true, value: { ...response, replayed: false } };
      return;
    }
    if (req) released.push(req);
    outcomes[entry.index] = { ok: false, error: outcome.error };
  });

  const { write, records } = insertOrdersWrite(
    funded.map((p) => newOrderOf(p.job.actor.userId, p.job.body, p.job.terms, p, p.funds)),
    new Date(),
  );
  if (records.length > 0) deferWrite(tx, write.sql, write.params);
  const orders = records.map((r, i) => presentOrder((funded[i] as Planned).job.terms.pair, r));
  await recordAudits(
    tx,
    orders.map((order, i) => {
      const p = funded[i] as Planned;
      return placementAudit(p.job.audit, order, p.holdId, p.funds);
    }),
  );
  await emitManyAfterCommit(
    ctx.outbox,
    tx,
    orders.map((order, i) => ({
      rooms: [socketRooms.user((funded[i] as Planned).job.actor.userId)],
      event: "order_update",
      data: { orderId: order.id, status: order.status, data: order },
    })),
  );
  const indexOf = new Map(batch.map((b) => [b.planned, b.index]));
  const wakeups = new Map<string, OrderJob>();
  orders.forEach((order, i) => {
    const p = funded[i] as Planned;
    const index = indexOf.get(p) ?? -1;
    const reply = { status: 202, body: { order } };
    const req = reqOf.get(index);
    if (req) responses.push({ req, response: reply });
    outcomes[index] = { ok: true, value: { ...reply, replayed: false } };
    const job = wakeups.get(order.pairId) ?? { pairId: order.pairId, commands: [] };
    job.commands.push({ orderId: order.id, kind: "place" });
    wakeups.set(order.pairId, job);
  });
  await completeMany(tx, responses, owner);
  await releaseMany(tx, released, owner);
  tx.afterCommit(() => {
    for (const job of wakeups.values()) trading.enqueue(job);
  });
  return { outcomes, alone };
}
