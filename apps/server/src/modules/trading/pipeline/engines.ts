import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { AppContext } from "../../../platform/context.js";
import { createLeaseManager, type LeaseManager } from "../../../platform/db/lease.js";
import type { PairRegistry } from "../engine/pair-registry.js";
import { failingCommands, type PendingCommand, pairsWithPendingCommands } from "./journal.js";
import { PairEngine, type PipelineOptions } from "./pair-engine.js";

/**
 * The order queue: one job per batch of commands accepted together for a pair, a wake-up for the pair's
 * engine (the journal is the orders table, so the job carries no more than which commands it announces).
 */
export const ORDER_QUEUE = "trading.orders";

export interface OrderJob {
  pairId: string;
  commands: PendingCommand[];
}

const leaseName = (pairId: string) => `trading:engine:${pairId}`;

/**
 * The matching engines of this node. Every `tickMs` it tries to take the lease of each pair it does not
 * run (exactly one node across the deployment runs a pair), starts an engine for each lease won, drops the
 * engines whose lease was lost, and nudges its engines to pick up commands a lost wake-up left behind.
 * A queue job landing on a node that does not run its pair is passed on to the holder with `pg_notify`.
 */
export class TradingEngines {
  /** Names this node in `trading_pair_state.holder`: host, process id and a random part. */
  readonly holderId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly engines = new Map<string, PairEngine>();
  private readonly starting = new Set<string>();
  private leases: LeaseManager | undefined;
  private channel = "";
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly pairs: PairRegistry,
    private readonly options: PipelineOptions & { tickMs: number },
  ) {}

  /** Starts competing for the pairs' leases (at once, then every tick). */
  async start(): Promise<void> {
    const { ctx } = this;
    const namespace = await schemaOf(ctx);
    const scaled = ctx.db.engine === "postgres" && ctx.config.DATABASE_URL !== undefined;
    this.leases = createLeaseManager({
      engine: scaled ? "postgres" : "pglite",
      connectionString: ctx.config.DATABASE_URL,
      namespace,
      logger: ctx.logger,
    });
    this.channel = `softchat_trading_${createHash("sha256").update(namespace).digest("hex").slice(0, 16)}`;
    this.leases.onLost((names) => {
      for (const pair of this.pairs.list())
        if (names.includes(leaseName(pair.pairId))) void this.retire(pair.pairId);
    });
    this.leases.listen(
      this.channel,
      (pairId) =>
        void this.engines
          .get(pairId)
          ?.kick()
          .catch(() => {}),
    );
    const tick = () => {
      this.ticking ??= this.tick().finally(() => {
        this.ticking = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.options.tickMs);
    this.timer.unref();
  }

  /** The engine of `pairId` if this node runs it. */
  local(pairId: string): PairEngine | undefined {
    const engine = this.engines.get(pairId);
    return engine?.running ? engine : undefined;
  }

  /**
   * The order queue's processor. The holder processes the pair's waiting commands and fails the job while
   * one of its commands keeps failing (so the queue retries it with backoff, then dead-letters it); any
   * other node passes the wake-up on.
   */
  async wake(job: OrderJob): Promise<void> {
    const engine = this.local(job.pairId);
    if (!engine) {
      await this.forward(job.pairId);
      return;
    }
    await engine.kick();
    if (!engine.mayHaveFailedCommands) return;
    const [failing] = await failingCommands(this.ctx.db, job.commands);
    if (failing) {
      throw new Error(
        `order ${failing.orderId} (${failing.kind}) failed: ${failing.lastError ?? "unknown error"}`,
      );
    }
  }

  /** Stops the engines, then gives the leases up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.engines.values()].map((e) => e.stop()));
    this.engines.clear();
    await this.leases?.close();
  }

  private async tick(): Promise<void> {
    const running: string[] = [];
    for (const pair of this.pairs.list()) {
      if (this.stopped) return;
      const engine = this.engines.get(pair.pairId);
      if (engine && !engine.running) await this.retire(pair.pairId);
      else if (engine) running.push(pair.pairId);
      else await this.tryStart(pair.pairId);
    }
    if (running.length === 0 || this.stopped) return;
    // One look across the pairs, not a pass per pair: an idle node's tick costs one small query.
    let waiting: string[];
    try {
      waiting = await pairsWithPendingCommands(this.ctx.db, running);
    } catch (err) {
      // The database is away: the next tick looks again.
      this.ctx.logger.warn({ err }, "trading engine tick failed");
      return;
    }
    for (const pairId of waiting) {
      void this.engines
        .get(pairId)
        ?.kick()
        .catch((err) => this.ctx.logger.warn({ err }, "trading engine pass failed"));
    }
  }

  private async tryStart(pairId: string): Promise<void> {
    const leases = this.leases;
    const pair = this.pairs.get(pairId);
    if (!leases || !pair || this.starting.has(pairId)) return;
    this.starting.add(pairId);
    try {
      if (!(await leases.tryAcquire(leaseName(pairId)))) return;
      const engine = await PairEngine.start(this.ctx, pair, this.holderId, this.options);
      if (this.stopped || !leases.isHeld(leaseName(pairId))) {
        await engine.stop();
        return;
      }
      this.engines.set(pairId, engine);
      void engine.kick().catch((err) => this.ctx.logger.warn({ err }, "trading engine pass failed"));
    } catch (err) {
      this.ctx.logger.error({ err, pairId }, "could not start the trading engine");
      await leases.release(leaseName(pairId)).catch(() => {});
    } finally {
      this.starting.delete(pairId);
    }
  }

  private async retire(pairId: string): Promise<void> {
    const engine = this.engines.get(pairId);
    this.engines.delete(pairId);
    await engine?.stop();
    await this.leases?.release(leaseName(pairId)).catch(() => {});
  }

  private async forward(pairId: string): Promise<void> {
    // Before `start` there is no channel yet: the holder's own tick finds the commands all the same.
    if (this.ctx.db.engine !== "postgres" || this.channel === "") return;
    await this.ctx.db.query("SELECT pg_notify($1, $2)", [this.channel, pairId]);
  }
}

/** The schema this node's tables live in: part of every lock name, as test schemas share one database. */
async function schemaOf(ctx: AppContext): Promise<string> {
  const { rows } = await ctx.db.query<{ schema: string }>("SELECT current_schema() AS schema");
  return rows[0]?.schema ?? "public";
}
