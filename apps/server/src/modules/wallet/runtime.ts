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
    const batcher = new LedgerBatcher(ctx, {
      windowMs: ctx.config.WALLET_BATCH_WINDOW_MS,
      maxBatch: ctx.config.WALLET_BATCH_MAX,
      lanes: ctx.db.engine === "pglite" ? 1 : ctx.config.WALLET_BATCH_LANES,
    });
    wallet = { ctx, batcher };
    wallets.set(ctx, wallet);
    ctx.onShutdown(() => batcher.stop());
  }
  return wallet;
}
