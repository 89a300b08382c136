import type { AppContext } from "../../../platform/context.js";
import { MatchingEngine } from "../engine/matching-engine.js";
import type { PairSpec } from "../engine/pairs.js";
import type { EngineCommand, EngineEvent, RestingOrderState } from "../engine/types.js";
import { lockOrders, type OrderRecord, restingOrders } from "../repo.js";
import { type ExecutedCommand, settleBatch } from "../settlement.js";
import { BookPublisher } from "./book-publisher.js";
import {
  advanceSeq,
  beginEpoch,
  ensurePairState,
  hasFailedCommands,
  type PendingCommand,
  pendingCommands,
  recordFailure,
} from "./journal.js";

/** How the engines are tuned (from config). */
export interface PipelineOptions {
  marketProtectionBps: number;
  maxUpdatesPerSecond: number;
  /** Tries of a failing command before it is parked. */
  maxAttempts: number;
  /** First retry delay of a failing command (ms); it doubles with each try. */
  retryBaseMs: number;
}

/** Thrown inside a command's transaction when another node has taken the pair over. */
export class LeaseLostError extends Error {
  constructor(pairId: string) {
    super(`the engine lease of ${pairId} has passed to another node`);
  }
}

/** Commands taken from the journal, matched and settled in one transaction. */
const BATCH = 200;

/**
 * The single writer of one pair on the node holding its lease: the matching engine, rebuilt from the
 * database on start, fed the pair's commands from the journal (the orders table) in intake order. The
 * commands waiting are taken in batches; a batch runs in one transaction that gives each command the next
 * number, matches them in order, settles their fills together, and moves the pair's last number only if
 * the epoch is still this engine's (fencing off a former holder). A command whose number is already set
 * is skipped, so a command is processed exactly once whatever retries and takeovers happen. Committed
 * events go to the book publisher.
 */
export class PairEngine {
  private requested = false;
  private loop: Promise<void> | null = null;
  private stopped = false;

  private constructor(
    private readonly ctx: AppContext,
    readonly pair: PairSpec,
    private readonly epoch: string,
    /** The last command number committed (this node is the pair's only writer while its epoch lasts). */
    private lastSeq: bigint,
    private engine: MatchingEngine,
    readonly book: BookPublisher,
    private readonly options: PipelineOptions,
    /**
     * Whether a command of this pair may have failed: found at the start, or set by a failure here. Until
     * then a queue job needs no look at its commands' failures (see TradingEngines.wake).
     */
    private failureSeen: boolean,
  ) {}

  /**
   * Takes the pair over on this node (a new epoch), rebuilds its book from the resting orders in time
   * priority, and publishes a snapshot whose `seq` is above every update a former holder sent.
   */
  static async start(
    ctx: AppContext,
    pair: PairSpec,
    holder: string,
    options: PipelineOptions,
  ): Promise<PairEngine> {
    await ensurePairState(ctx.db, pair.pairId);
    const { epoch, lastSeq } = await ctx.db.transaction((tx) => beginEpoch(tx, pair.pairId, holder));
    const engine = await loadBook(ctx, pair, options);
    // Each update needs at least one command, so a former holder never sent a seq above its last command's.
    const book = new BookPublisher(
      ctx,
      pair,
      engine.depth(),
      Number(lastSeq) + 1,
      options.maxUpdatesPerSecond,
    );
    ctx.logger.info({ pairId: pair.pairId, epoch, resting: engine.size }, "trading engine started");
    const failureSeen = await hasFailedCommands(ctx.db, pair.pairId);
    return new PairEngine(ctx, pair, epoch, BigInt(lastSeq), engine, book, options, failureSeen);
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** False while no command of the pair has failed since before this engine started. */
  get mayHaveFailedCommands(): boolean {
    return this.failureSeen;
  }

  /** Processes every waiting command; resolves once a pass that began after this call has finished. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.requested = true;
    this.loop ??= this.run().finally(() => {
      this.loop = null;
    });
    return this.loop;
  }

  /** Stops taking commands and waits for the one in progress. The book stays in the database. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop?.catch(() => {});
    await this.book.stop();
  }

  private async run(): Promise<void> {
    while (this.requested && !this.stopped) {
      this.requested = false;
      for (;;) {
        const commands = await pendingCommands(this.ctx.db, this.pair.pairId, BATCH);
        if (commands.length === 0 || this.stopped) break;
        if (!(await this.processBatch(commands))) {
          // Something in the batch failed: take its commands one at a time, so the failing one is found
          // and retried (then parked) on its own while the others go through.
          for (const command of commands) {
            if (this.stopped) return;
            await this.processBatch([command], command);
          }
        }
        if (commands.length < BATCH) break;
      }
    }
  }

  /**
   * Runs commands in ONE transaction: checks the epoch, numbers each command, matches them one after
   * another, and settles all their fills together. Returns false when the transaction failed (the book is
   * rebuilt from the database first); with `single`, that command's failure is recorded for a retry.
   */
  private async processBatch(commands: PendingCommand[], single?: PendingCommand): Promise<boolean> {
    let touchedBook = false;
    let events: EngineEvent[] = [];
    let committedSeq = this.lastSeq;
    try {
      events = await this.ctx.db.transaction(async (tx) => {
        const last = this.lastSeq;
        const orders = await lockOrders(
          tx,
          commands.map((c) => c.orderId),
        );
        let seq = last;
        const executed: ExecutedCommand[] = [];
        const numbered: OrderRecord[] = [];
        for (const command of commands) {
          const order = orders.get(command.orderId);
          if (!order || !isPending(order, command.kind)) continue;
          seq += 1n;
          numbered.push(order);
          if (command.kind === "cancel") {
            order.cancelSeq = seq.toString();
            // Filled or canceled before its cancel came up (maybe earlier in this batch): used up, nothing else.
            if (!this.engine.order(order.id)) continue;
          } else order.seq = seq.toString();
          touchedBook = true;
          executed.push({ seq, events: this.engine.execute(commandFor(order, command.kind)) });
        }
        if (seq === last) return [];
        // The makers are locked in the same wait as the epoch check (a lost lease rolls both back).
        const makers = orderIdsOf(executed).filter((id) => !orders.has(id));
        const [advanced, makerOrders] = await Promise.all([
          advanceSeq(tx, this.pair.pairId, this.epoch, last, seq),
          lockOrders(tx, makers),
        ]);
        if (!advanced) throw new LeaseLostError(this.pair.pairId);
        committedSeq = seq;
        for (const [id, order] of makerOrders) orders.set(id, order);
        await settleBatch(this.ctx, tx, this.pair, executed, orders, numbered);
        return executed.flatMap((c) => c.events);
      });
    } catch (err) {
      // The book may hold what the database refused: take it again from the database.
      if (touchedBook && !(await this.reload())) return true;
      if (err instanceof LeaseLostError) {
        this.stopped = true;
        this.ctx.logger.warn({ pairId: this.pair.pairId }, err.message);
        return true;
      }
      if (!single) return false;
      await this.recordFailure(single, err as Error);
      return true;
    }
    this.lastSeq = committedSeq;
    if (events.length > 0) this.book.apply(events);
    return true;
  }

  /** Rebuilds the book from the database; when even that fails the engine stops (its host restarts it). */
  private async reload(): Promise<boolean> {
    try {
      this.engine = await loadBook(this.ctx, this.pair, this.options);
      return true;
    } catch (err) {
      this.stopped = true;
      this.ctx.logger.error(
        { err, pairId: this.pair.pairId },
        "trading engine could not rebuild its book; stopping",
      );
      return false;
    }
  }

  private async recordFailure(command: PendingCommand, err: Error): Promise<void> {
    this.failureSeen = true;
    const { maxAttempts, retryBaseMs } = this.options;
    const fields = { err, pairId: this.pair.pairId, orderId: command.orderId, kind: command.kind };
    try {
      const parked = await recordFailure(this.ctx.db, command.orderId, err.message, maxAttempts, retryBaseMs);
      if (parked)
        this.ctx.logger.error(fields, "trading command parked after repeated failures; funds stay held");
      else this.ctx.logger.warn(fields, "trading command failed, will retry");
    } catch (failure) {
      this.ctx.logger.error({ ...fields, failure }, "could not record a trading command failure");
    }
  }
}

/** The engine of a pair rebuilt from its resting orders, oldest first. */
async function loadBook(ctx: AppContext, pair: PairSpec, options: PipelineOptions): Promise<MatchingEngine> {
  const resting: RestingOrderState[] = (await restingOrders(ctx.db, pair.pairId)).map((o) => ({
    id: o.id,
    owner: o.userId,
    side: o.side,
    price: o.priceTicks ?? 0,
    remaining: o.quantityLots - o.filledLots,
  }));
  return MatchingEngine.restore(resting, { marketProtectionBps: options.marketProtectionBps });
}

function isPending(order: OrderRecord, kind: PendingCommand["kind"]): boolean {
  if (order.parkedAt !== null) return false;
  if (kind === "place") return order.status === "new" && order.seq === null;
  return order.cancelIntakeSeq !== null && order.cancelSeq === null;
}

function commandFor(o: OrderRecord, kind: PendingCommand["kind"]): EngineCommand {
  if (kind === "cancel") return { type: "cancel", id: o.id };
  if (o.type === "limit") {
    return {
      type: "limit",
      id: o.id,
      owner: o.userId,
      side: o.side,
      price: o.priceTicks ?? 0,
      quantity: o.quantityLots,
      timeInForce: o.timeInForce,
      postOnly: o.postOnly,
    };
  }
  const bound = o.protectionTicks;
  return {
    type: "market",
    id: o.id,
    owner: o.userId,
    side: o.side,
    quantity: o.quantityLots,
    ...(bound === null ? {} : { protectionPrice: bound, maxQuote: BigInt(bound) * BigInt(o.quantityLots) }),
  };
}

function orderIdsOf(commands: readonly ExecutedCommand[]): string[] {
  const ids = new Set<string>();
  for (const e of commands.flatMap((c) => c.events)) {
    if (e.type === "fill") ids.add(e.makerOrderId).add(e.takerOrderId);
    else ids.add(e.orderId);
  }
  return [...ids];
}
