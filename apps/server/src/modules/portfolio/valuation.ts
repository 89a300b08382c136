import type { Asset, Portfolio, PortfolioHolding } from "@softchat/contracts";
import { minBig, prorate } from "./fifo.js";
import { formatCents, formatQuantity, formatUnitPrice, unitCostMicros, valueCents } from "./usd.js";

/** One asset as the portfolio knows it: the ledger's quantity, the open lots' sums, the realized gain. */
export interface Position {
  asset: Asset;
  /** Ledger balance (available + held), minor units. */
  quantity: bigint;
  lotQuantity: bigint;
  lotCost: bigint;
  realized: bigint;
}

/** A holding valued at a price, in cents and micro-dollars. */
export interface HoldingValue {
  asset: Asset;
  quantity: bigint;
  /** Micro-dollars per unit of the known-cost part; null when no lot covers any of it. */
  averageCostMicros: bigint | null;
  costBasis: bigint;
  priceMicros: bigint;
  marketValue: bigint;
  unrealized: bigint;
  realized: bigint;
  unknownCostQuantity: bigint;
}

/**
 * Values one position at `priceMicros`. The ledger says how much is held; the open lots say what it cost.
 * When the lots hold more than the ledger (something left without a sale the portfolio saw, e.g. a fee),
 * the cost is scaled down to what is held; when they hold less, the rest is of unknown cost and is valued
 * but left out of the average cost and the unrealized P&L. USD is the unit of account: it costs itself.
 */
export function valueHolding(p: Position, priceMicros: bigint): HoldingValue {
  const lotQuantity = p.asset === "USD" ? p.quantity : p.lotQuantity;
  const lotCost = p.asset === "USD" ? p.quantity : p.lotCost;
  const known = minBig(lotQuantity, p.quantity);
  const costBasis = known > 0n ? prorate(lotCost, known, lotQuantity) : 0n;
  return {
    asset: p.asset,
    quantity: p.quantity,
    averageCostMicros: known > 0n ? unitCostMicros(p.asset, costBasis, known) : null,
    costBasis,
    priceMicros,
    marketValue: valueCents(p.asset, p.quantity, priceMicros),
    unrealized: valueCents(p.asset, known, priceMicros) - costBasis,
    realized: p.realized,
    unknownCostQuantity: p.quantity - known,
  };
}

/** Whether a position belongs in the portfolio: something held, or a gain or loss realized on it. */
export function isListed(p: Position): boolean {
  return p.quantity > 0n || p.lotQuantity > 0n || p.realized !== 0n;
}

/** A valued holding as the API shows it: USD in cents, prices per unit, quantities at the asset's scale. */
export function presentHolding(h: HoldingValue): PortfolioHolding {
  return {
    asset: h.asset,
    quantity: formatQuantity(h.asset, h.quantity),
    averageCost: h.averageCostMicros === null ? null : formatUnitPrice(h.averageCostMicros),
    costBasis: formatCents(h.costBasis),
    marketPrice: formatUnitPrice(h.priceMicros),
    marketValue: formatCents(h.marketValue),
    unrealizedPnl: formatCents(h.unrealized),
    realizedPnl: formatCents(h.realized),
    unknownCostQuantity: formatQuantity(h.asset, h.unknownCostQuantity),
  };
}

/** The portfolio as the API shows it, with totals over every holding. */
export function presentPortfolio(userId: string, holdings: HoldingValue[], updatedAt: Date): Portfolio {
  const sum = (pick: (h: HoldingValue) => bigint) => holdings.reduce((total, h) => total + pick(h), 0n);
  return {
    userId,
    holdings: holdings.map(presentHolding),
    totals: {
      marketValue: formatCents(sum((h) => h.marketValue)),
      costBasis: formatCents(sum((h) => h.costBasis)),
      unrealizedPnl: formatCents(sum((h) => h.unrealized)),
      realizedPnl: formatCents(sum((h) => h.realized)),
    },
    updatedAt: updatedAt.toISOString(),
  };
}
