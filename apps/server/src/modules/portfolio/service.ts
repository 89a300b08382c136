import {
  ASSETS,
  isAsset,
  type LotsQuery,
  type Page,
  type Portfolio,
  type PortfolioLot,
  type RealizedQuery,
  type RealizedReport,
} from "@softchat/contracts";
import { assertSelfOrAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import type { AppContext } from "../../platform/context.js";
import type { Queryable } from "../../platform/db/index.js";
import { AppError, notFound } from "../../platform/http/errors.js";
import { getUserState } from "../auth/user-directory.js";
import { balancesOfUsers } from "../wallet/index.js";
import { cursorValues, KEY, pageCursor } from "./cursor.js";
import type { UsdPrices } from "./market-prices.js";
import { lotHistory, lotSumsOfUsers, saleSums, salesBetween } from "./queries.js";
import { formatCents, formatQuantity, formatUnitPrice, unitCostMicros } from "./usd.js";
import { type HoldingValue, isListed, type Position, presentPortfolio, valueHolding } from "./valuation.js";

type ReadContext = Pick<AppContext, "db">;

/** The user whose portfolio is read: the actor's own, or (admins only) the one asked for; 404 if unknown. */
async function subjectOf(ctx: ReadContext, actor: Actor, userId: string | undefined): Promise<string> {
  const subject = userId ?? actor.userId;
  assertSelfOrAdmin(actor, subject);
  if (!(await getUserState(ctx.db, subject))) throw notFound("User");
  return subject;
}

/** The positions of a user: ledger balances joined with lot sums and realized gains, in asset order. */
export async function positionsOf(q: Queryable, userId: string): Promise<Position[]> {
  return (await positionsOfUsers(q, [userId])).get(userId) ?? [];
}

/** `positionsOf` for several users with two statements in all, by user id. */
async function positionsOfUsers(q: Queryable, userIds: readonly string[]): Promise<Map<string, Position[]>> {
  const ledgers = await balancesOfUsers(q, userIds);
  const sums = await lotSumsOfUsers(q, userIds);
  return new Map(
    userIds.map((userId) => {
      const ledger = new Map((ledgers.get(userId) ?? []).map((b) => [b.asset, b.total]));
      const lots = new Map((sums.get(userId) ?? []).map((s) => [s.asset, s]));
      const positions = ASSETS.map((asset) => {
        const s = lots.get(asset);
        return {
          asset,
          quantity: ledger.get(asset) ?? 0n,
          lotQuantity: s?.lotQuantity ?? 0n,
          lotCost: s?.lotCost ?? 0n,
          realized: s?.realized ?? 0n,
        };
      }).filter(isListed);
      return [userId, positions];
    }),
  );
}

/** A user's portfolio valued at the current prices, without authorization. */
export async function portfolioOf(ctx: ReadContext, prices: UsdPrices, userId: string): Promise<Portfolio> {
  const one = (await portfoliosOf(ctx, prices, [userId])).get(userId);
  if (!one) throw new Error(`no portfolio computed for ${userId}`);
  return one;
}

/**
 * The portfolios of several users valued at the current prices, without authorization (the live updates
 * value every user whose holdings changed in one go): two statements, and each asset priced once.
 */
export async function portfoliosOf(
  ctx: ReadContext,
  prices: UsdPrices,
  userIds: readonly string[],
): Promise<Map<string, Portfolio>> {
  const positions = await positionsOfUsers(ctx.db, userIds);
  const priced = new Map<string, bigint>();
  const priceOf = async (asset: Position["asset"]) => {
    let price = priced.get(asset);
    if (price === undefined) {
      price = await prices.micros(asset);
      priced.set(asset, price);
    }
    return price;
  };
  const now = new Date();
  const out = new Map<string, Portfolio>();
  for (const [userId, list] of positions) {
    const holdings: HoldingValue[] = [];
    for (const p of list) holdings.push(valueHolding(p, await priceOf(p.asset)));
    out.set(userId, presentPortfolio(userId, holdings, now));
  }
  return out;
}

/** `GET /api/trading/portfolio`: the actor's own portfolio; an admin may read anyone's. */
export async function getPortfolio(
  ctx: ReadContext,
  prices: UsdPrices,
  actor: Actor,
  userId: string | undefined,
): Promise<Portfolio> {
  return portfolioOf(ctx, prices, await subjectOf(ctx, actor, userId));
}

/**
 * The realized gains of one calendar year (UTC): sales of lots, FIFO, with totals per asset and overall,
 * and the sales themselves a page at a time, oldest first. Outflows (withdrawals, transfers out) are not
 * sales and realize nothing.
 */
export async function realizedReport(
  ctx: ReadContext,
  actor: Actor,
  query: RealizedQuery,
): Promise<RealizedReport> {
  const userId = await subjectOf(ctx, actor, query.userId);
  const range = { from: new Date(Date.UTC(query.year, 0, 1)), to: new Date(Date.UTC(query.year + 1, 0, 1)) };
  const after = query.cursor ? cursorValues(query.cursor, [KEY.time, KEY.int, KEY.int]) : null;
  const rows = await salesBetween(ctx.db, userId, range, {
    after: after ? { disposedAt: after[0] ?? "", position: after[1] ?? "0", part: Number(after[2]) } : null,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const sums = await saleSums(ctx.db, userId, range);
  const sumOf = (pick: (s: (typeof sums)[number]) => bigint) => sums.reduce((t, s) => t + pick(s), 0n);
  const present = (proceeds: bigint, cost: bigint, unknown: bigint) => ({
    proceeds: formatCents(proceeds),
    costBasis: formatCents(cost),
    gain: formatCents(proceeds - cost),
    unknownCostProceeds: formatCents(unknown),
  });
  return {
    userId,
    year: query.year,
    totals: present(
      sumOf((s) => s.proceeds),
      sumOf((s) => s.cost),
      sumOf((s) => s.unknownCostProceeds),
    ),
    byAsset: sums.map((s) => ({
      asset: s.asset,
      quantity: formatQuantity(s.asset, s.quantity),
      ...present(s.proceeds, s.cost, s.unknownCostProceeds),
    })),
    items: page.map((r) => ({
      asset: r.asset,
      lotId: r.lotId,
      openedAt: r.openedAt?.toISOString() ?? null,
      disposedAt: r.disposedAt.toISOString(),
      quantity: formatQuantity(r.asset, r.quantity),
      proceeds: formatCents(r.proceeds),
      costBasis: r.cost === null ? null : formatCents(r.cost),
      gain: r.cost === null ? null : formatCents(r.proceeds - r.cost),
    })),
    nextCursor:
      rows.length > query.limit && last
        ? pageCursor([last.disposedAt.toISOString(), last.position, String(last.part)])
        : null,
  };
}

/** The lot history (open and closed lots with their dates), newest first. */
export async function lotPage(ctx: ReadContext, actor: Actor, query: LotsQuery): Promise<Page<PortfolioLot>> {
  const userId = await subjectOf(ctx, actor, query.userId);
  if (query.asset !== undefined && !isAsset(query.asset)) {
    throw new AppError("unknown_asset", `Softchat does not hold ${query.asset}`);
  }
  const after = query.cursor ? cursorValues(query.cursor, [KEY.time, KEY.uuid]) : null;
  const lots = await lotHistory(
    ctx.db,
    userId,
    { status: query.status, ...(query.asset ? { asset: query.asset } : {}) },
    { after: after ? { openedAt: after[0] ?? "", id: after[1] ?? "" } : null, limit: query.limit + 1 },
  );
  const page = lots.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((l) => ({
      id: l.id,
      asset: l.asset,
      source: l.source,
      openedAt: l.openedAt.toISOString(),
      closedAt: l.closedAt?.toISOString() ?? null,
      quantity: formatQuantity(l.asset, l.quantity),
      remainingQuantity: formatQuantity(l.asset, l.remainingQuantity),
      costBasis: formatCents(l.cost),
      remainingCostBasis: formatCents(l.remainingCost),
      unitCost: formatUnitPrice(unitCostMicros(l.asset, l.cost, l.quantity)),
    })),
    nextCursor: lots.length > query.limit && last ? pageCursor([last.openedAt.toISOString(), last.id]) : null,
  };
}
