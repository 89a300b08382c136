import { ASSETS, type Asset } from "@softchat/contracts";
import { z } from "zod";
import type { AppContext } from "../../platform/context.js";
import type { OutboxEvent } from "../../platform/outbox/index.js";
import { SOCKET_EMIT_TOPIC } from "../../platform/outbox/index.js";
import { SOCKET_EMIT_MANY_TOPIC } from "../../platform/realtime/index.js";
import { tradingOf } from "../trading/index.js";
import { findOrder } from "../trading/repo.js";
import { dueOrders, deferOrder, unwatch, type WatchedOrder, watchOrders } from "./fills-repo.js";
import type { UsdPrices } from "./market-prices.js";
import { fillStateOf, type OrderFillState, recordOrderFills } from "./order-fills.js";

/**
 * The outbox topic the portfolio asks the trading pipeline to publish after each settled batch: the
 * cumulative fill state of every order the batch touched (see `fillsSettledSchema`). Until it does, the
 * watcher below learns of fills from the `order_update` events trading already publishes.
 */
export const FILLS_SETTLED_TOPIC = "trading.fills_settled";

const minor = z.string().regex(/^\d{1,40}$/);
const fillsSettledSchema = z.object({
  fills: z.array(
    z.object({
      orderId: z.string().uuid(),
      userId: z.string().uuid(),
      side: z.enum(["buy", "sell"]),
      base: z.enum(ASSETS as [Asset, ...Asset[]]),
      quote: z.enum(ASSETS as [Asset, ...Asset[]]),
      filledBase: minor,
      quoteTotal: minor,
      at: z.string(),
    }),
  ),
});

const USER_ROOM = /^user:([0-9a-f-]{36})$/;

/** Orders of `order_update` events that report fills, with their owner (from the `user:{id}` room). */
function filledOrdersIn(emits: unknown[]): { orderId: string; userId: string }[] {
  const found: { orderId: string; userId: string }[] = [];
  for (const emit of emits) {
    if (typeof emit !== "object" || emit === null) continue;
    const { event, rooms, data } = emit as { event?: unknown; rooms?: unknown; data?: unknown };
    if (event !== "order_update" || !Array.isArray(rooms) || typeof data !== "object" || data === null) continue;
    const { orderId, data: order } = data as { orderId?: unknown; data?: { filledQuantity?: unknown } };
    const filled = order?.filledQuantity;
    if (typeof orderId !== "string" || typeof filled !== "string" || !/[1-9]/.test(filled)) continue;
    for (const room of rooms) {
      const userId = typeof room === "string" ? USER_ROOM.exec(room)?.[1] : undefined;
      if (userId) found.push({ orderId, userId });
    }
  }
  return found;
}

/** Users worked on at once; each user's orders go in one transaction. */
const PARALLEL_USERS = 4;
const BATCH = 200;

/**
 * Turns trading fills into portfolio activities. Orders seen filling are put on a watch list in the
 * database (so a crash loses none) and a worker records each one's fills from its stored totals, which
 * trading exports through `findOrder`; the cumulative figures make every repeat harmless. The worker runs
 * on every node (the user's book lock keeps them from colliding) and polls now and then for what a dead
 * node or a failed try left behind.
 */
export class FillWatcher {
  private requested = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly prices: UsdPrices,
    private readonly onRecorded: (userId: string) => void,
    private readonly pollMs: number,
  ) {}

  /** Listens to the outbox: order updates (the watch list) and, once published, settled fills. */
  install(): void {
    const onEmits = async (emits: unknown[]) => {
      const orders = filledOrdersIn(emits);
      if (orders.length === 0) return;
      await watchOrders(this.ctx.db, orders);
      this.kick();
    };
    this.ctx.outbox.on(SOCKET_EMIT_MANY_TOPIC, (e: OutboxEvent) => {
      const emits = (e.payload as { emits?: unknown }).emits;
      return Array.isArray(emits) ? onEmits(emits) : undefined;
    });
    this.ctx.outbox.on(SOCKET_EMIT_TOPIC, (e: OutboxEvent) => onEmits([e.payload]));
    this.ctx.outbox.on(FILLS_SETTLED_TOPIC, (e: OutboxEvent) => this.recordSettled(e.payload));
  }

  start(): void {
    const tick = () => {
      this.kick();
      if (!this.stopped) this.timer = setTimeout(tick, this.pollMs).unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.loop?.catch(() => {});
  }

  /** Works through the watch list; resolves once a pass that began after this call has finished. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.requested = true;
    this.loop ??= this.run()
      .catch((err) => this.ctx.logger.error({ err }, "portfolio fill watcher failed"))
      .finally(() => {
        this.loop = null;
      });
    return this.loop;
  }

  private async run(): Promise<void> {
    while (this.requested && !this.stopped) {
      this.requested = false;
      for (;;) {
        const due = await dueOrders(this.ctx.db, BATCH);
        const byUser = new Map<string, WatchedOrder[]>();
        for (const w of due) byUser.set(w.userId, [...(byUser.get(w.userId) ?? []), w]);
        const users = [...byUser.values()];
        while (users.length > 0 && !this.stopped) {
          await Promise.all(users.splice(0, PARALLEL_USERS).map((orders) => this.recordUser(orders)));
        }
        if (due.length < BATCH || this.stopped) break;
      }
    }
  }

  /** Records the fills of one user's watched orders in one transaction. */
  private async recordUser(watched: WatchedOrder[]): Promise<void> {
    const userId = watched[0]?.userId;
    if (!userId) return;
    try {
      const states: OrderFillState[] = [];
      for (const w of watched) {
        const state = await this.stateOf(w.orderId);
        if (state) states.push(state);
      }
      const quotes = await this.quotePrices(states);
      const changed = await this.ctx.db.transaction(async (tx) => {
        let any = false;
        for (const state of states) any = (await recordOrderFills(tx, state, quotes.get(state.quote) ?? 0n)) || any;
        for (const w of watched) await unwatch(tx, w);
        return any;
      });
      if (changed) this.onRecorded(userId);
    } catch (err) {
      this.ctx.logger.warn({ err, userId }, "portfolio could not record fills yet; will retry");
      for (const w of watched) await deferOrder(this.ctx.db, w.orderId, 1000).catch(() => {});
    }
  }

  private async stateOf(orderId: string): Promise<OrderFillState | null> {
    const order = await findOrder(this.ctx.db, orderId);
    if (!order) return null;
    const pair = tradingOf(this.ctx).pairs.get(order.pairId);
    return pair ? fillStateOf(pair, order) : null;
  }

  private async quotePrices(states: OrderFillState[]): Promise<Map<Asset, bigint>> {
    const prices = new Map<Asset, bigint>();
    for (const s of states) {
      if (s.quote !== "USD" && !prices.has(s.quote)) prices.set(s.quote, await this.prices.micros(s.quote));
    }
    return prices;
  }

  /** The settled-fills topic: the same cumulative states, straight from the pipeline. */
  private async recordSettled(payload: unknown): Promise<void> {
    const parsed = fillsSettledSchema.safeParse(payload);
    if (!parsed.success) {
      this.ctx.logger.warn({ issues: parsed.error.issues }, `unreadable ${FILLS_SETTLED_TOPIC} event ignored`);
      return;
    }
    const states: OrderFillState[] = parsed.data.fills.map((f) => ({
      ...f,
      filledBase: BigInt(f.filledBase),
      quoteTotal: BigInt(f.quoteTotal),
      at: new Date(f.at),
    }));
    const quotes = await this.quotePrices(states);
    for (const userId of new Set(states.map((s) => s.userId))) {
      const mine = states.filter((s) => s.userId === userId);
      const changed = await this.ctx.db.transaction(async (tx) => {
        let any = false;
        for (const s of mine) any = (await recordOrderFills(tx, s, quotes.get(s.quote) ?? 0n)) || any;
        return any;
      });
      if (changed) this.onRecorded(userId);
    }
  }
}

