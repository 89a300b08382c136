import type { AppContext } from "../../platform/context.js";
import { LedgerBatcher } from "./ledger/batcher.js";

/** The wallet's long-lived parts on one node: the group-commit batcher its money operations go through. */
export interface Wallet {
  ctx: AppContext;
  batcher: LedgerBatcher;
}

const wallets = new WeakMap<AppContext, Wallet>();

/**
 * The wallet of this node, made on first use (the wallet module makes it at start) and stopped on shutdown
 * after the HTTP server has drained. PGlite has one connection, so it gets one batch in flight.
 */
export function walletOf(ctx: AppContext): Wallet {
  let wallet = wallets.get(ctx);
  if (!wallet) {
    const sizes = ctx.metrics.histogram({
      name: "wallet_batch_operations",
      help: "Money operations applied per group-commit transaction",
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    });
    const seconds = ctx.metrics.histogram({
      name: "wallet_batch_duration_seconds",
      help: "Time to apply and commit one group-commit batch",
    });
    const operations = ctx.metrics.counter<"outcome">({
      name: "wallet_operations_total",
      help: "Money operations through the group-commit batcher, by outcome",
      labelNames: ["outcome"],
    });
    const batcher = new LedgerBatcher(ctx, {
      windowMs: ctx.config.WALLET_BATCH_WINDOW_MS,
      maxBatch: ctx.config.WALLET_BATCH_MAX,
      maxQueued: ctx.config.WALLET_QUEUE_MAX,
      lanes: ctx.db.engine === "pglite" ? 1 : ctx.config.WALLET_BATCH_LANES,
      observe: ({ size, refused, durationMs }) => {
        sizes.observe(size);
        seconds.observe(durationMs / 1000);
        operations.inc({ outcome: "applied" }, size - refused);
        if (refused > 0) operations.inc({ outcome: "refused" }, refused);
      },
    });
    wallet = { ctx, batcher };
    wallets.set(ctx, wallet);
    ctx.onShutdown(() => batcher.stop());
  }
  return wallet;
}
