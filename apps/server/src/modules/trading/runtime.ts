import type { AppContext } from "../../platform/context.js";
import { GroupCommit } from "../../platform/group-commit.js";
import type { PairRegistry } from "./engine/pair-registry.js";
import { acceptBatch, type IntakeJob, type OrderReply } from "./intake.js";
import { tradingPairs } from "./market-data/pairs-module.js";
import { ORDER_QUEUE, type OrderJob, TradingEngines } from "./pipeline/engines.js";

/** Trading on one node: the pairs, this node's engines, and the order queue they are fed through. */
export interface Trading {
  ctx: AppContext;
  pairs: PairRegistry;
  engines: TradingEngines;
  /** The group commit orders are accepted through (see intake.ts). */
  intake: GroupCommit<IntakeJob, OrderReply>;
  /** Wakes the pair's engine for commands, through the order queue. Never throws: the journal has them. */
  enqueue(job: OrderJob): void;
}

const runtimes = new WeakMap<AppContext, Trading>();

/** The trading runtime of this node, made on first use (the trading module makes it at start). */
export function tradingOf(ctx: AppContext): Trading {
  let trading = runtimes.get(ctx);
  if (!trading) {
    const pairs = tradingPairs(ctx);
    const config = ctx.config;
    const engines = new TradingEngines(ctx, pairs, {
      marketProtectionBps: config.TRADING_MARKET_PROTECTION_BPS,
      maxUpdatesPerSecond: config.MARKET_DATA_MAX_UPDATES_PER_SEC,
      maxAttempts: config.TRADING_ORDER_MAX_ATTEMPTS,
      retryBaseMs: config.TRADING_ORDER_RETRY_MS,
      tickMs: config.TRADING_ENGINE_TICK_MS,
    });
    const enqueue = (job: OrderJob) => {
      const first = job.commands[0];
      if (!first) return;
      ctx.jobs
        .enqueue(ORDER_QUEUE, job, {
          // An order is announced by one job only: its first command names it.
          jobId: `${first.kind}:${first.orderId}`,
          attempts: config.TRADING_ORDER_MAX_ATTEMPTS,
          backoffMs: config.TRADING_ORDER_RETRY_MS,
        })
        .catch((err) =>
          ctx.logger.warn(
            { err, pairId: job.pairId, commands: job.commands.length },
            "order queue unavailable; the engine's poll will pick it up",
          ),
        );
    };
    const sizes = ctx.metrics.histogram({
      name: "trading_intake_batch_orders",
      help: "Orders accepted per intake group-commit transaction",
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    });
    const seconds = ctx.metrics.histogram({
      name: "trading_intake_batch_duration_seconds",
      help: "Time to accept and commit one batch of orders",
    });
    const intake = new GroupCommit<IntakeJob, OrderReply>((jobs) => acceptBatch(self, jobs), {
      windowMs: config.TRADING_INTAKE_WINDOW_MS,
      maxBatch: config.TRADING_INTAKE_BATCH_MAX,
      maxQueued: config.TRADING_INTAKE_QUEUE_MAX,
      // PGlite runs one transaction at a time: a second lane would only wait.
      lanes: ctx.db.engine === "pglite" ? 1 : config.TRADING_INTAKE_LANES,
      busyMessage: "Trading is busy; try again shortly",
      observe: ({ size, durationMs }) => {
        sizes.observe(size);
        seconds.observe(durationMs / 1000);
      },
    });
    const self: Trading = { ctx, pairs, engines, intake, enqueue };
    trading = self;
    runtimes.set(ctx, trading);
  }
  return trading;
}
