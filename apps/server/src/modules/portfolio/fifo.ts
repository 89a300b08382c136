import type { Asset } from "@softchat/contracts";

/**
 * FIFO lots, pure and exact. Quantities are minor units of the asset, values whole US cents, all bigint.
 * Whenever a lot or a value is split, the part is rounded half up and the rest carries what is left, so
 * the parts of a lot's cost (or of a sale's proceeds) always add up to the whole: no cent appears or
 * vanishes however a lot is cut.
 */

/** What changed a holding. Inbound kinds open a lot; `sell` and the outflows close lots oldest first. */
export type ActivityKind = "buy" | "sell" | "deposit" | "transfer_in" | "transfer_out" | "withdrawal";

const INBOUND: ReadonlySet<ActivityKind> = new Set<ActivityKind>(["buy", "deposit", "transfer_in"]);

/** Whether an activity of this kind opens a lot (rather than taking from the open ones). */
export function opensLot(kind: ActivityKind): boolean {
  return INBOUND.has(kind);
}

export interface Activity {
  id: string;
  asset: Asset;
  kind: ActivityKind;
  quantity: bigint;
  /** Cost of an inbound activity, proceeds of a sale (fees included); null for outflows. */
  usdCents: bigint | null;
  occurredAt: Date;
  /** Breaks ties between activities of the same instant: the order they were recorded in. */
  position: bigint;
}

export interface Lot {
  /** The id of the activity that opened it. */
  id: string;
  asset: Asset;
  source: ActivityKind;
  openedAt: Date;
  openPosition: bigint;
  quantity: bigint;
  cost: bigint;
  remainingQuantity: bigint;
  remainingCost: bigint;
  closedAt: Date | null;
}

/** What one sale or outflow took from one lot; `lotId` null for the part no lot covered (cost unknown). */
export interface Disposal {
  activityId: string;
  asset: Asset;
  lotId: string | null;
  kind: "sale" | "outflow";
  disposedAt: Date;
  position: bigint;
  /** Its place among the parts of one activity. */
  part: number;
  quantity: bigint;
  cost: bigint | null;
  proceeds: bigint | null;
}

export interface FifoResult {
  /** Every lot opened or changed, in its final state. */
  lots: Lot[];
  disposals: Disposal[];
}

/** The smaller of two bigints (Math.min does not take them). */
export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** `value × part / whole`, rounded half up; `part` ≤ `whole`, `whole` > 0. */
export function prorate(value: bigint, part: bigint, whole: bigint): bigint {
  if (part === whole) return value;
  return (value * part * 2n + whole) / (whole * 2n);
}

/** Orders activities as they are applied: by time, then by the order they were recorded in. */
export function compareActivities(a: Activity, b: Activity): number {
  const dt = a.occurredAt.getTime() - b.occurredAt.getTime();
  if (dt !== 0) return dt;
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}

/**
 * Applies `activities` (in `compareActivities` order) to the open lots: an inbound activity opens a lot at
 * its cost; a sale or an outflow takes from the oldest open lots of its asset first, each part carrying its
 * share of the lot's remaining cost (and, for a sale, of the proceeds). A part no open lot covers becomes a
 * disposal of unknown cost. `open` is not modified; the result holds the lots in their new state.
 */
export function applyActivities(open: readonly Lot[], activities: readonly Activity[]): FifoResult {
  const queues = new Map<Asset, Lot[]>();
  const touched = new Map<string, Lot>();
  for (const lot of [...open].sort(compareLots)) {
    if (lot.remainingQuantity === 0n) continue;
    const queue = queues.get(lot.asset) ?? [];
    queue.push({ ...lot });
    queues.set(lot.asset, queue);
  }
  const disposals: Disposal[] = [];
  for (const activity of activities) {
    if (activity.quantity <= 0n) throw new Error(`activity ${activity.id} has no quantity`);
    const queue = queues.get(activity.asset) ?? [];
    queues.set(activity.asset, queue);
    if (opensLot(activity.kind)) {
      const lot = openLot(activity);
      queue.push(lot);
      touched.set(lot.id, lot);
    } else {
      disposals.push(...dispose(queue, activity, touched));
    }
  }
  return { lots: [...touched.values()], disposals };
}

function openLot(a: Activity): Lot {
  if (a.usdCents === null || a.usdCents < 0n) throw new Error(`activity ${a.id} opens a lot without a cost`);
  return {
    id: a.id,
    asset: a.asset,
    source: a.kind,
    openedAt: a.occurredAt,
    openPosition: a.position,
    quantity: a.quantity,
    cost: a.usdCents,
    remainingQuantity: a.quantity,
    remainingCost: a.usdCents,
    closedAt: null,
  };
}

/** Takes `a.quantity` from the front of `queue` (the asset's open lots, oldest first). */
function dispose(queue: Lot[], a: Activity, touched: Map<string, Lot>): Disposal[] {
  const kind = a.kind === "sell" ? "sale" : "outflow";
  if (kind === "sale" && a.usdCents === null) throw new Error(`sale ${a.id} has no proceeds`);
  const parts: Disposal[] = [];
  let quantityLeft = a.quantity;
  let proceedsLeft = a.usdCents;
  const take = (lot: Lot | null, quantity: bigint, cost: bigint | null) => {
    let proceeds: bigint | null = null;
    if (proceedsLeft !== null) {
      proceeds = prorate(proceedsLeft, quantity, quantityLeft);
      proceedsLeft -= proceeds;
    }
    quantityLeft -= quantity;
    parts.push({
      activityId: a.id,
      asset: a.asset,
      lotId: lot?.id ?? null,
      kind,
      disposedAt: a.occurredAt,
      position: a.position,
      part: parts.length,
      quantity,
      cost,
      proceeds,
    });
  };
  while (quantityLeft > 0n) {
    const lot = queue[0];
    if (!lot) {
      take(null, quantityLeft, null);
      break;
    }
    const quantity = minBig(quantityLeft, lot.remainingQuantity);
    const cost = prorate(lot.remainingCost, quantity, lot.remainingQuantity);
    lot.remainingQuantity -= quantity;
    lot.remainingCost -= cost;
    if (lot.remainingQuantity === 0n) {
      lot.closedAt = a.occurredAt;
      queue.shift();
    }
    touched.set(lot.id, lot);
    take(lot, quantity, cost);
  }
  return parts;
}

function compareLots(a: Lot, b: Lot): number {
  const dt = a.openedAt.getTime() - b.openedAt.getTime();
  if (dt !== 0) return dt;
  return a.openPosition < b.openPosition ? -1 : a.openPosition > b.openPosition ? 1 : 0;
}

/** Realized gain of sales whose cost is known: proceeds minus cost, summed (negative for a loss). */
export function realizedGain(disposals: readonly Disposal[]): bigint {
  let gain = 0n;
  for (const d of disposals) {
    if (d.kind === "sale" && d.cost !== null && d.proceeds !== null) gain += d.proceeds - d.cost;
  }
  return gain;
}
