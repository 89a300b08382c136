import { ASSETS, type Portfolio, socketRooms } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { UsdPrices } from "./market-prices.js";

/** Users whose portfolio is revalued at once on a price tick. */
const PARALLEL = 8;
/**
 * Least time between two holdings-driven updates of one user (ms). The first change after a quiet spell goes
 * out at once; an active trader's fills are then summed up once a second, as each update costs a valuation
 * (two queries and the prices) while the screen shows no more than that.
 */
const HOLDINGS_GAP_MS = 1000;

/**
 * Live `portfolio_update` events. When holdings change (after the commit that recorded them) the user's
 * devices get the new portfolio through the Socket.IO rooms, on every node, if the user is connected
 * anywhere; changes closer together than HOLDINGS_GAP_MS are sent as one, at the end of the gap. When
 * prices move, each node revalues the portfolios of the users connected to IT, at most once per
 * `intervalMs` each, and sends only those whose figures changed, to its own sockets (a user connected
 * to two nodes gets one event per socket, not two).
 */
export class LivePortfolios {
  /** Sockets on this node, per user. */
  private readonly local = new Map<string, number>();
  /** The figures last sent to each local user (without `updatedAt`), so unchanged ones are not resent. */
  private readonly lastSent = new Map<string, string>();
  /**
   * Local users found holding nothing: a price move cannot change an empty portfolio, so ticks skip them
   * until their holdings change (a chat room full of non-traders costs no valuation per tick).
   */
  private readonly empty = new Set<string>();
  /** Counts holdings changes, so a valuation that raced one does not mark its user empty. */
  private changes = 0;
  private lastPrices = "";
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  /** When each recently changed user was last sent its holdings, and the sends waiting for their gap. */
  private readonly lastPush = new Map<string, number>();
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private readonly pushing = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly prices: UsdPrices,
    private readonly compute: (userId: string) => Promise<Portfolio>,
    private readonly intervalMs: number,
  ) {}

  /** Counts this node's sockets per user. */
  install(): void {
    this.ctx.realtime.onConnect((socket) => {
      const { userId } = socket.data;
      this.local.set(userId, (this.local.get(userId) ?? 0) + 1);
    });
    this.ctx.realtime.onDisconnect((socket) => {
      const { userId } = socket.data;
      const left = (this.local.get(userId) ?? 1) - 1;
      if (left > 0) this.local.set(userId, left);
      else {
        this.local.delete(userId);
        this.lastSent.delete(userId);
        this.empty.delete(userId);
      }
    });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.ticking ??= this.tick()
        .catch((err) => this.ctx.logger.warn({ err }, "portfolio revaluation failed"))
        .finally(() => {
          this.ticking = null;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const timer of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
    await this.ticking;
    await Promise.allSettled([...this.pushing]);
  }

  /** After a commit changed the user's holdings: schedules the new portfolio for every device. */
  holdingsChanged(userId: string): void {
    this.changes++;
    this.empty.delete(userId);
    if (this.stopped || this.scheduled.has(userId)) return;
    const wait = Math.max(0, (this.lastPush.get(userId) ?? 0) + HOLDINGS_GAP_MS - Date.now());
    const timer = setTimeout(() => {
      this.scheduled.delete(userId);
      this.lastPush.set(userId, Date.now());
      const push = this.push(userId).finally(() => this.pushing.delete(push));
      this.pushing.add(push);
    }, wait);
    this.scheduled.set(userId, timer);
  }

  private async push(userId: string): Promise<void> {
    try {
      if ((await this.ctx.realtime.connectionCount(userId)) === 0) return;
      const portfolio = await this.compute(userId);
      this.lastSent.set(userId, figures(portfolio));
      this.ctx.realtime.emit(socketRooms.user(userId), "portfolio_update", portfolio);
    } catch (err) {
      // A derived view: the next change or price tick sends it again.
      this.ctx.logger.warn({ err, userId }, "portfolio update not sent");
    }
  }

  /** Revalues the local users' portfolios when any price moved since the last tick. */
  async tick(): Promise<void> {
    const now = Date.now();
    for (const [userId, at] of this.lastPush) if (now - at > HOLDINGS_GAP_MS) this.lastPush.delete(userId);
    const prices = ASSETS.map((a) => `${a}:${this.prices.currentMicros(a) ?? "?"}`).join(",");
    if (prices === this.lastPrices) return;
    this.lastPrices = prices;
    const users = [...this.local.keys()].filter((userId) => !this.empty.has(userId));
    while (users.length > 0) {
      await Promise.all(users.splice(0, PARALLEL).map((userId) => this.revalue(userId)));
    }
  }

  private async revalue(userId: string): Promise<void> {
    const changes = this.changes;
    const portfolio = await this.compute(userId);
    const now = figures(portfolio);
    const before = this.lastSent.get(userId);
    if (portfolio.holdings.length === 0 && this.local.has(userId) && changes === this.changes) {
      this.empty.add(userId);
    }
    if (before === now || !this.local.has(userId)) return;
    if (before === undefined && portfolio.holdings.length === 0) return;
    this.lastSent.set(userId, now);
    // Only this node's sockets: every node revalues its own connected users.
    const local = this.ctx.realtime.io.local.to(socketRooms.user(userId));
    (local.emit as (event: string, data: unknown) => boolean)("portfolio_update", portfolio);
  }
}

function figures(p: Portfolio): string {
  return JSON.stringify({ holdings: p.holdings, totals: p.totals });
}
