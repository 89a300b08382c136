import { ASSETS, type Portfolio, socketRooms } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { UsdPrices } from "./market-prices.js";

/** Users whose portfolio is revalued at once on a price tick. */
const PARALLEL = 8;

/**
 * Live `portfolio_update` events. When holdings change (after the commit that recorded them) the user's
 * devices get the new portfolio through the Socket.IO rooms, on every node, if the user is connected
 * anywhere. When prices move, each node revalues the portfolios of the users connected to IT, at most once
 * per `intervalMs` each, and sends only those whose figures changed, to its own sockets (a user connected
 * to two nodes gets one event per socket, not two).
 */
export class LivePortfolios {
  /** Sockets on this node, per user. */
  private readonly local = new Map<string, number>();
  /** The figures last sent to each local user (without `updatedAt`), so unchanged ones are not resent. */
  private readonly lastSent = new Map<string, string>();
  private lastPrices = "";
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;

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
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  /** After a commit changed the user's holdings: the new portfolio to every device, if any is connected. */
  async holdingsChanged(userId: string): Promise<void> {
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
    const prices = ASSETS.map((a) => `${a}:${this.prices.currentMicros(a) ?? "?"}`).join(",");
    if (prices === this.lastPrices) return;
    this.lastPrices = prices;
    const users = [...this.local.keys()];
    while (users.length > 0) {
      await Promise.all(users.splice(0, PARALLEL).map((userId) => this.revalue(userId)));
    }
  }

  private async revalue(userId: string): Promise<void> {
    const portfolio = await this.compute(userId);
    const now = figures(portfolio);
    const before = this.lastSent.get(userId);
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
