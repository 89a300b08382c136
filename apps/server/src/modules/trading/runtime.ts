import type { AppContext } from "../../platform/context.js";
import type { PairRegistry } from "./engine/pair-registry.js";
import { tradingPairs } from "./market-data/pairs-module.js";
import { ORDER_QUEUE, type OrderJob, TradingEngines } from "./pipeline/engines.js";

/** Trading on one node: the pairs, this node's engines, and the order queue they are fed through. */
export interface Trading {
  ctx: AppContext;
  pairs: PairRegistry;
  engines: TradingEngines;
  /** Wakes the pair's engine for a command, through the order queue. Never throws: the journal has it. */
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
      ctx.jobs
        .enqueue(ORDER_QUEUE, job, {
          jobId: `${job.kind}:${job.orderId}`,
          attempts: config.TRADING_ORDER_MAX_ATTEMPTS,
          backoffMs: config.TRADING_ORDER_RETRY_MS,
        })
        .catch((err) =>
          ctx.logger.warn({ err, ...job }, "order queue unavailable; the engine's poll will pick it up"),
        );
    };
    trading = { ctx, pairs, engines, enqueue };
    runtimes.set(ctx, trading);
  }
  return trading;
}
