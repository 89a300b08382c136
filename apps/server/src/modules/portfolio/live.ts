import { ASSETS, type Portfolio, socketRooms } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { UsdPrices } from "./market-prices.js";

/** Users valued together (two statements for all of them) on a price tick. */
const CHUNK = 200;
/**
 * Least time between two holdings-driven rounds of updates (ms). The first change after a quiet spell goes
 * out at once; after that, the users whose holdings changed are valued together once a second (one round
 * costs two statements and the prices, whatever its size), while a screen shows no more than that.
 */
const HOLDINGS_GAP_MS = 1000;

/** Values users' portfolios at the current prices, by user id. */
export type ComputePortfolios = (userIds: string[]) => Promise<Map<string, Portfolio>>;

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
  /** Users whose holdings changed since the last round, the round's timer, and the round in flight. */
  private readonly dirty = new Set<string>();
  private roundTimer: NodeJS.Timeout | undefined;
  private round: Promise<void> | null = null;
  private lastRoundAt = 0;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly prices: UsdPrices,
    private readonly compute: ComputePortfolios,
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
    if (this.roundTimer) clearTimeout(this.roundTimer);
    this.roundTimer = undefined;
    await this.ticking;
    await this.round;
  }

  /** After a commit changed the user's holdings: the new portfolio goes to every device in the next round. */
  holdingsChanged(userId: string): void {
    this.changes++;
    this.empty.delete(userId);
    if (this.stopped) return;
    this.dirty.add(userId);
    this.scheduleRound();
  }

  private scheduleRound(): void {
    if (this.roundTimer || this.round || this.stopped) return;
    const wait = Math.max(0, this.lastRoundAt + HOLDINGS_GAP_MS - Date.now());
    this.roundTimer = setTimeout(() => {
      this.roundTimer = undefined;
      this.round = this.pushRound().finally(() => {
        this.round = null;
        if (this.dirty.size > 0) this.scheduleRound();
      });
    }, wait);
  }

  private async pushRound(): Promise<void> {
    this.lastRoundAt = Date.now();
    const users = [...this.dirty];
    this.dirty.clear();
    try {
      const counts = await Promise.all(users.map((u) => this.ctx.realtime.connectionCount(u)));
      const connected = users.filter((_, i) => (counts[i] ?? 0) > 0);
      if (connected.length === 0) return;
      for (const [userId, portfolio] of await this.compute(connected)) {
        this.lastSent.set(userId, figures(portfolio));
        this.ctx.realtime.emit(socketRooms.user(userId), "portfolio_update", portfolio);
      }
    } catch (err) {
      // A derived view: the next change or price tick sends it again.
      this.ctx.logger.warn({ err, users: users.length }, "portfolio updates not sent");
    }
  }

  /** Revalues the local users' portfolios when any price moved since the last tick. */
  async tick(): Promise<void> {
    const prices = ASSETS.map((a) => `${a}:${this.prices.currentMicros(a) ?? "?"}`).join(",");
    if (prices === this.lastPrices) return;
    this.lastPrices = prices;
    const users = [...this.local.keys()].filter((userId) => !this.empty.has(userId));
    while (users.length > 0) await this.revalue(users.splice(0, CHUNK));
  }

  private async revalue(userIds: string[]): Promise<void> {
    const changes = this.changes;
    const portfolios = await this.compute(userIds);
    for (const [userId, portfolio] of portfolios) {
      const now = figures(portfolio);
      const before = this.lastSent.get(userId);
      if (portfolio.holdings.length === 0 && this.local.has(userId) && changes === this.changes) {
        this.empty.add(userId);
      }
      if (before === now || !this.local.has(userId)) continue;
      if (before === undefined && portfolio.holdings.length === 0) continue;
      this.lastSent.set(userId, now);
      // Only this node's sockets: every node revalues its own connected users.
      const local = this.ctx.realtime.io.local.to(socketRooms.user(userId));
      (local.emit as (event: string, data: unknown) => boolean)("portfolio_update", portfolio);
    }
  }
}

function figures(p: Portfolio): string {
  return JSON.stringify({ holdings: p.holdings, totals: p.totals });
}
