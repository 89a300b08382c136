import { z } from "zod";
import { decimalStringSchema, pageSchema, paginationQuerySchema, uuidSchema } from "./common.js";
import { signedDecimalStringSchema } from "./trading.js";

// The portfolio: holdings valued in USD with their FIFO cost basis and P&L. Every USD figure is a decimal
// string of whole cents ("-12.50"); quantities are decimal strings at the asset's scale.

/** `GET /api/trading/portfolio`: your own; an admin may pass `userId`. */
export const portfolioQuerySchema = z.object({ userId: uuidSchema.optional() });
export type PortfolioQuery = z.infer<typeof portfolioQuerySchema>;

/** One asset held (or once held: realized P&L stays listed after the position is closed). */
export const portfolioHoldingSchema = z.object({
  asset: z.string(),
  /** The ledger balance: available plus held by open orders, escrows and withdrawals. */
  quantity: decimalStringSchema,
  /** USD per unit paid for the part of the holding whose cost is known (fees included); null when none is. */
  averageCost: decimalStringSchema.nullable(),
  /** USD cost of the part of the holding whose cost is known. */
  costBasis: decimalStringSchema,
  /** USD per unit now. */
  marketPrice: decimalStringSchema,
  /** USD value of the whole quantity at the market price. */
  marketValue: decimalStringSchema,
  /** Market value minus cost of the part whose cost is known. */
  unrealizedPnl: signedDecimalStringSchema,
  /** Gains minus losses of everything sold so far (FIFO lots, fees included). */
  realizedPnl: signedDecimalStringSchema,
  /** Quantity no lot accounts for (credited by a movement Softchat has no price for): left out of the P&L. */
  unknownCostQuantity: decimalStringSchema,
});
export type PortfolioHolding = z.infer<typeof portfolioHoldingSchema>;

export const portfolioSchema = z.object({
  userId: uuidSchema,
  holdings: z.array(portfolioHoldingSchema),
  totals: z.object({
    marketValue: decimalStringSchema,
    costBasis: decimalStringSchema,
    unrealizedPnl: signedDecimalStringSchema,
    realizedPnl: signedDecimalStringSchema,
  }),
  updatedAt: z.string(),
});
export type Portfolio = z.infer<typeof portfolioSchema>;

/** Socket `portfolio_update` to `user:{id}`: the whole portfolio, as `GET /api/trading/portfolio` shows it. */
export const portfolioUpdateEventSchema = portfolioSchema;
export type PortfolioUpdateEvent = Portfolio;

/** `GET /api/trading/portfolio/realized?year=`: the sales of one calendar year (UTC), for the tax report. */
export const realizedQuerySchema = paginationQuerySchema.extend({
  year: z.coerce.number().int().min(1970).max(9999),
  userId: uuidSchema.optional(),
});
export type RealizedQuery = z.infer<typeof realizedQuerySchema>;

/** One sale of (part of) one lot. Cost and gain are null for a part no lot covered (cost unknown). */
export const realizedGainSchema = z.object({
  asset: z.string(),
  lotId: uuidSchema.nullable(),
  openedAt: z.string().nullable(),
  disposedAt: z.string(),
  quantity: decimalStringSchema,
  proceeds: decimalStringSchema,
  costBasis: decimalStringSchema.nullable(),
  gain: signedDecimalStringSchema.nullable(),
});
export type RealizedGain = z.infer<typeof realizedGainSchema>;

const realizedSumsSchema = z.object({
  /** Proceeds of the sales whose cost is known. */
  proceeds: decimalStringSchema,
  costBasis: decimalStringSchema,
  gain: signedDecimalStringSchema,
  /** Proceeds of the parts sold that no lot covered: not in `gain`. */
  unknownCostProceeds: decimalStringSchema,
});

export const realizedReportSchema = z.object({
  userId: uuidSchema,
  year: z.number().int(),
  /** Over the whole year, whatever the page. */
  totals: realizedSumsSchema,
  byAsset: z.array(realizedSumsSchema.extend({ asset: z.string(), quantity: decimalStringSchema })),
  /** The year's sales, oldest first, a page at a time. */
  items: z.array(realizedGainSchema),
  nextCursor: z.string().nullable(),
});
export type RealizedReport = z.infer<typeof realizedReportSchema>;

export const LOT_STATUSES = ["open", "closed", "all"] as const;

/** `GET /api/trading/portfolio/lots`: the lot history, newest first. */
export const lotsQuerySchema = paginationQuerySchema.extend({
  userId: uuidSchema.optional(),
  asset: z.string().max(10).optional(),
  status: z.enum(LOT_STATUSES).default("all"),
});
export type LotsQuery = z.infer<typeof lotsQuerySchema>;

/** A FIFO lot: opened by a buy, deposit or incoming transfer; closed once sales and outflows used it up. */
export const portfolioLotSchema = z.object({
  id: uuidSchema,
  asset: z.string(),
  /** What opened it: `buy`, `deposit` or `transfer_in`. */
  source: z.string(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  quantity: decimalStringSchema,
  remainingQuantity: decimalStringSchema,
  /** USD paid for the whole lot, fees included (deposits and transfers in: its value on arrival). */
  costBasis: decimalStringSchema,
  remainingCostBasis: decimalStringSchema,
  /** USD per unit. */
  unitCost: decimalStringSchema,
});
export type PortfolioLot = z.infer<typeof portfolioLotSchema>;
export const portfolioLotPageSchema = pageSchema(portfolioLotSchema);
