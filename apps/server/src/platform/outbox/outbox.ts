import type { Logger } from "pino";
import type { Database, Transaction } from "../db/index.js";

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
  private readonly pendingIds = new Set<string>();
  private flushScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight = new Set<Promise<void>>();
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
   */
  async publish(tx: Transaction, topic: string, payload: unknown): Promise<void> {
    const { rows } = await tx.query<{ id: string }>(
      "INSERT INTO outbox (topic, payload) VALUES ($1, $2::jsonb) RETURNING id",
      [topic, JSON.stringify(payload)],
    );
    const id = rows[0]?.id;
    if (id !== undefined) tx.afterCommit(() => this.kick(id));
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

  /** Stops polling and waits for deliveries in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
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
      const event: OutboxEvent = {
        id: row.id,
        topic: row.topic,
        payload: row.payload,
        createdAt: row.created_at,
      };
      try {
        for (const handler of this.handlers.get(row.topic) ?? []) await handler(event);
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
