import type { Logger } from "pino";
import { type Database, deferFinalWrite, type Transaction, withDeferredWrites } from "../db/index.js";

export interface OutboxEvent<P = unknown> {
  id: string;
  topic: string;
  payload: P;
  createdAt: Date;
}

export type OutboxHandler = (event: OutboxEvent) => Promise<void> | void;

export interface OutboxOptions {
  /** How often undelivered events left by a crashed or busy node are looked for (ms). */
  pollIntervalMs?: number;
  /** Events claimed per round. */
  batchSize?: number;
  /** How long a claim lasts before another node may take the event over (ms). */
  leaseMs?: number;
  /** Failed deliveries before an event is given up and logged as dead. */
  maxAttempts?: number;
  /** First retry delay after a failed delivery (ms); it doubles with each further failure. */
  retryBaseMs?: number;
  /** Longest delay between two tries of one event (ms). */
  retryMaxMs?: number;
}

export interface PublishOptions {
  /**
   * Deliver from this node, right after the commit, instead of through a claim: for latency-sensitive or
   * frequent events (chat fan-out, trading fills), it saves the claim and the delivered mark of each event.
   * Delivery is still at least once: the row stays in the table until marked delivered. Events delivered
   * here run side by side, not one after another, so their handlers must not rely on publish order.
   */
  deliverHere?: boolean;
}

/** How long delivered marks of events delivered in place are gathered before one UPDATE writes them (ms). */
const DELIVERED_MARK_DELAY_MS = 500;

/** An event published in a transaction, written when it commits. */
interface PendingEvent {
  topic: string;
  json: string;
  /** Delivered by this node from memory after the commit, rather than claimed. */
  claimed: boolean;
}

interface ClaimedRow extends Record<string, unknown> {
  id: string;
  topic: string;
  payload: unknown;
  created_at: Date;
  attempts: number;
}

/**
 * Events after commit: `publish` writes an event in the caller's transaction; once that commits the event is
 * delivered to every handler of its topic, at least once and in id order per round, by whichever node claims
 * it first. Events of rolled-back transactions do not exist, so they are never delivered.
 */
export class Outbox {
  private readonly handlers = new Map<string, OutboxHandler[]>();
  /** Events published in transactions still open, written by one INSERT before each commit. */
  private readonly unwritten = new WeakMap<Transaction, PendingEvent[]>();
  private readonly pendingIds = new Set<string>();
  private flushScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight = new Set<Promise<void>>();
  private readonly deliveredMarks: string[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  private readonly opts: Required<OutboxOptions>;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    options: OutboxOptions = {},
  ) {
    this.opts = {
      pollIntervalMs: 1000,
      batchSize: 200,
      leaseMs: 30_000,
      maxAttempts: 10,
      retryBaseMs: 500,
      retryMaxMs: 300_000,
      ...options,
    };
  }

  /** Adds a handler for a topic. Handlers must tolerate a repeat: delivery is at least once. */
  on(topic: string, handler: OutboxHandler): void {
    const list = this.handlers.get(topic) ?? [];
    list.push(handler);
    this.handlers.set(topic, list);
  }

  /**
   * Writes an event inside `tx`; once started, the node dispatches it right after the commit. Events of a node
   * not yet started (or stopped, or crashed) wait in the table for the poller of whichever node runs next.
   * The events of one transaction are written together, by one INSERT just before its commit.
   */
  async publish(
    tx: Transaction,
    topic: string,
    payload: unknown,
    options: PublishOptions = {},
  ): Promise<void> {
    const event = {
      topic,
      json: JSON.stringify(payload),
      claimed: options.deliverHere === true && this.running,
    };
    const gathered = this.unwritten.get(tx);
    if (gathered) {
      gathered.push(event);
      return;
    }
    const events = [event];
    this.unwritten.set(tx, events);
    tx.beforeCommit(() => this.write(tx, events));
  }

  /**
   * Writes a transaction's events in publish order (ids rise with it). An event to deliver here is written
   * already claimed by this node (lease and first attempt), so no poller takes it while the commit hook
   * delivers it from memory: no claim round trip between the commit and the handlers. If this node dies
   * before delivering, the lease runs out and a poller delivers it, as for any claim.
   */
  private async write(tx: Transaction, events: PendingEvent[]): Promise<void> {
    this.unwritten.delete(tx);
    // The transaction's other deferred writes (audit rows, ledger totals...) ride along in this statement.
    const one = events.length === 1 ? events[0] : undefined;
    const insert = withDeferredWrites(
      tx,
      // The usual case, one event, as a plain VALUES row (cheaper for the embedded database to run).
      one
        ? {
            sql: `INSERT INTO outbox (topic, payload, locked_until, attempts)
             VALUES ($1, $2::jsonb, CASE WHEN $3::boolean THEN now() + ($4::int * interval '1 millisecond') END,
                     CASE WHEN $3::boolean THEN 1 ELSE 0 END)
             RETURNING id, created_at`,
            params: [one.topic, one.json, one.claimed, this.opts.leaseMs],
          }
        : {
            sql: `INSERT INTO outbox (topic, payload, locked_until, attempts)
             SELECT e.topic, e.payload::jsonb,
                    CASE WHEN e.claimed THEN now() + ($4::int * interval '1 millisecond') END,
                    CASE WHEN e.claimed THEN 1 ELSE 0 END
               FROM unnest($1::text[], $2::text[], $3::boolean[]) WITH ORDINALITY AS e(topic, payload, claimed, n)
              ORDER BY e.n
             RETURNING id, created_at`,
            params: [
              events.map((e) => e.topic),
              events.map((e) => e.json),
              events.map((e) => e.claimed),
              this.opts.leaseMs,
            ],
          },
    );
    const { rows } = await tx.query<{ id: string; created_at: Date }>(insert.sql, insert.params);
    const written = rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    tx.afterCommit(() => {
      events.forEach((e, i) => {
        const row = written[i];
        // The payload handlers see is the JSON the row holds, exactly as a poller would read it back.
        if (row) this.dispatchWritten(row, e.topic, e.claimed, () => JSON.parse(e.json));
      });
    });
  }

  /**
   * Writes an event whose payload the database works out from rows the same statement changes: `source`
   * holds that statement's CTEs (`name AS (...)`, data-modifying ones included) and a SELECT of at most one
   * row whose `payload` column (jsonb) is the event; no row, no event. The statement is one of the
   * transaction's final writes, sent with its COMMIT (see `deferFinalWrite`). Delivered as `publish`'s are.
   */
  publishComputed(
    tx: Transaction,
    topic: string,
    source: { with: string; select: string; params: readonly unknown[] },
    options: PublishOptions = {},
  ): void {
    const claimed = options.deliverHere === true && this.running;
    const n = source.params.length;
    deferFinalWrite(tx, {
      sql: `WITH ${source.with},
       computed_event AS (${source.select})
       INSERT INTO outbox (topic, payload, locked_until, attempts)
       SELECT $${n + 1}, e.payload,
              CASE WHEN $${n + 2}::boolean THEN now() + ($${n + 3}::int * interval '1 millisecond') END,
              CASE WHEN $${n + 2}::boolean THEN 1 ELSE 0 END
         FROM computed_event e
       RETURNING id, created_at, payload`,
      params: [...source.params, topic, claimed, this.opts.leaseMs],
      onRows: (rows) => {
        const written = rows as Array<{ id: string; created_at: Date; payload: unknown }>;
        tx.afterCommit(() => {
          for (const row of written) this.dispatchWritten(row, topic, claimed, () => row.payload);
        });
      },
    });
  }

  /**
   * After the commit: an event written claimed by this node is delivered from memory; another is left to
   * the poller, woken now. Delivery waits for the next turn of the event loop: whoever committed (a sender
   * waiting for its ack) is answered first, rather than after the fan-out to every member of a big room.
   */
  private dispatchWritten(
    row: { id: string; created_at: Date },
    topic: string,
    claimed: boolean,
    payload: () => unknown,
  ): void {
    if (!claimed) {
      this.kick(row.id);
      return;
    }
    const event: ClaimedRow = {
      id: row.id,
      created_at: row.created_at,
      topic,
      payload: payload(),
      attempts: 1,
    };
    this.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.deliverClaimed(event)));
  }

  /**
   * Starts dispatching: events committed from now on go out at once, and a poller picks up what no live node
   * delivered (events committed before the start, retries after a failure, claims of a node that died).
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    const round = async (): Promise<void> => {
      try {
        await this.dispatchPending();
      } catch (err) {
        this.logger.error({ err }, "outbox poll failed");
      }
      // The next round is timed from the end of this one, so a slow round never overlaps the next.
      if (!this.running) return;
      this.timer = setTimeout(() => this.track(round()), this.opts.pollIntervalMs);
      this.timer.unref();
    };
    this.track(round());
  }

  /** Stops polling and waits for deliveries in progress (and their delivered marks). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.flushDeliveredMarks();
  }

  /** Claims and delivers the oldest undelivered events; returns how many it claimed (delivered or failed). */
  async dispatchPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.claim(null);
      await this.deliver(rows);
      total += rows.length;
      if (rows.length < this.opts.batchSize) return total;
    }
  }

  private kick(id: string): void {
    // Not started: deliver nothing yet, since the handlers may not all be registered. The poller will.
    if (!this.running) return;
    this.pendingIds.add(id);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Gather the events of every transaction committed in this tick into one claim round trip.
    setImmediate(() => {
      this.flushScheduled = false;
      const ids = [...this.pendingIds];
      this.pendingIds.clear();
      if (!this.running) return;
      this.track(
        this.claim(ids)
          .then((rows) => this.deliver(rows))
          .catch((err) => this.logger.error({ err }, "outbox dispatch failed")),
      );
    });
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async claim(ids: string[] | null): Promise<ClaimedRow[]> {
    const { rows } = await this.db.query<ClaimedRow>(
      `UPDATE outbox SET locked_until = now() + ($1::int * interval '1 millisecond'), attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM outbox
           WHERE delivered_at IS NULL AND (locked_until IS NULL OR locked_until < now())
             AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
           ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, topic, payload, created_at, attempts`,
      [this.opts.leaseMs, ids, this.opts.batchSize],
    );
    return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  private async deliver(rows: ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const delivered: string[] = [];
    for (const row of rows) {
      try {
        await this.runHandlers(row);
        delivered.push(row.id);
      } catch (err) {
        await this.recordFailure(row, err as Error);
      }
    }
    if (delivered.length > 0) {
      await this.db.query(
        "UPDATE outbox SET delivered_at = now(), locked_until = NULL WHERE id = ANY($1::bigint[])",
        [delivered],
      );
    }
  }

  private async deliverClaimed(row: ClaimedRow): Promise<void> {
    try {
      await this.runHandlers(row);
    } catch (err) {
      await this.recordFailure(row, err as Error).catch((e) =>
        this.logger.error({ err: e, eventId: row.id }, "outbox failure not recorded"),
      );
      return;
    }
    // Marked in bulk a little later: the mark is bookkeeping, and one statement per event would cost the
    // embedded database a round trip per event. Until marked, the claim's lease keeps pollers away.
    this.deliveredMarks.push(row.id);
    if (this.markTimer) return;
    this.markTimer = setTimeout(() => this.track(this.flushDeliveredMarks()), DELIVERED_MARK_DELAY_MS);
    this.markTimer.unref();
  }

  private async flushDeliveredMarks(): Promise<void> {
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = undefined;
    const ids = this.deliveredMarks.splice(0);
    if (ids.length === 0) return;
    try {
      await this.db.query(
        "UPDATE outbox SET delivered_at = now(), locked_until = NULL WHERE id = ANY($1::bigint[])",
        [ids],
      );
    } catch (err) {
      // Left unmarked, the events are delivered again once their lease runs out: at least once still holds.
      this.logger.error({ err, count: ids.length }, "outbox delivered marks failed");
    }
  }

  private async runHandlers(row: ClaimedRow): Promise<void> {
    const event: OutboxEvent = {
      id: row.id,
      topic: row.topic,
      payload: row.payload,
      createdAt: row.created_at,
    };
    for (const handler of this.handlers.get(row.topic) ?? []) await handler(event);
  }

  private async recordFailure(row: ClaimedRow, err: Error): Promise<void> {
    const dead = row.attempts >= this.opts.maxAttempts;
    this.logger.error(
      { err, eventId: row.id, topic: row.topic, attempts: row.attempts, dead },
      "outbox handler failed",
    );
    // Back off exponentially before the poller tries again; give up after maxAttempts.
    const backoffMs = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (row.attempts - 1));
    await this.db.query(
      `UPDATE outbox SET last_error = $2, locked_until = now() + ($3::int * interval '1 millisecond'),
              delivered_at = CASE WHEN $4 THEN now() ELSE NULL END
        WHERE id = $1`,
      [row.id, err.message.slice(0, 1000), backoffMs, dead],
    );
  }
}
