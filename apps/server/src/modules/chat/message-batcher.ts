import { randomUUID } from "node:crypto";
import type { ChatMessage } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { Transaction } from "../../platform/db/index.js";
import { GroupCommit, type JobOutcome } from "../../platform/group-commit.js";
import { notFound } from "../../platform/http/errors.js";
import type { SocketEmit } from "../../platform/outbox/index.js";
import { emitManyAfterCommit } from "../../platform/realtime/index.js";
import { assertMember } from "./access.js";
import { presentMessage } from "./presenters.js";
import type { MessageRow } from "./repo.js";
import * as sends from "./send-repo.js";

/** A message to store: who sends it, where, and the clientId that makes a resend store nothing new. */
export interface SendJob {
  senderId: string;
  roomId: string;
  text: string;
  clientId: string | null;
}

type Outcome = JobOutcome<ChatMessage>;

export interface MessageBatcherOptions {
  /** Most sends written in one transaction. */
  maxBatch: number;
  /** Most sends waiting; past it `submit` refuses with 503 `unavailable` rather than queue without bound. */
  maxQueued: number;
  /** Batches in flight at once (1 on the embedded database, which has a single writer anyway). */
  lanes: number;
}

type BatcherContext = Pick<AppContext, "db" | "outbox" | "logger">;

/**
 * Group commit for chat messages. A send arriving while a batch is being written waits for the next one, and
 * each batch is ONE transaction with a handful of statements whatever its size: membership, room locks, the
 * messages, one outbox row for their `message_received` events. A lone send goes out at once (no waiting
 * window), so group commit only ever shortens the queue. A send refused by a rule (not a member) fails
 * alone; a batch that fails as a whole (a database error) is retried send by send, so one bad send cannot
 * sink the others. The events are delivered by this node straight from the commit (the outbox row keeps
 * them safe if it dies first).
 */
export class MessageBatcher {
  private readonly queue: GroupCommit<SendJob, ChatMessage>;

  constructor(
    private readonly ctx: BatcherContext,
    options: MessageBatcherOptions,
  ) {
    // No waiting window: sends from the same tick (one socket frame, several sockets read together) share
    // the first batch, and the rest queue up behind it.
    this.queue = new GroupCommit((jobs) => this.runBatch(jobs), {
      ...options,
      windowMs: 0,
      busyMessage: "Chat is busy; try again shortly",
    });
  }

  /** Queues a send; resolves with the stored message (the earlier one for a repeated clientId). */
  submit(job: SendJob): Promise<ChatMessage> {
    return this.queue.submit(job);
  }

  /** Stops taking sends, writes those queued, waits for batches in flight. */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async runBatch(batch: SendJob[]): Promise<Outcome[]> {
    try {
      return await this.ctx.db.transaction((tx) => this.write(tx, batch));
    } catch (err) {
      if (batch.length === 1) return [{ ok: false, error: err }];
      this.ctx.logger.warn({ err, size: batch.length }, "chat batch failed; retrying its sends one by one");
      const outcomes: Outcome[] = [];
      for (const job of batch) outcomes.push(...(await this.runBatch([job])));
      return outcomes;
    }
  }

  private async write(tx: Transaction, jobs: SendJob[]): Promise<Outcome[]> {
    const outcomes: Array<Outcome | undefined> = jobs.map(() => undefined);
    const members = await sends.findMemberships(
      tx,
      jobs.map((j) => ({ roomId: j.roomId, userId: j.senderId })),
    );
    for (const [i, job] of jobs.entries()) {
      if (members.has(`${job.roomId}:${job.senderId}`)) continue;
      // Rare: let the one-by-one check say which refusal it is (no such room, or not a member).
      outcomes[i] = await refusal(() => assertMember(tx, job.roomId, job.senderId));
    }
    const rooms = await sends.lockRoomsForSend(tx, [
      ...new Set(jobs.filter((_, i) => !outcomes[i]).map((j) => j.roomId)),
    ]);
    // The first send of a (room, sender, clientId) writes; repeats in the same batch get what it got.
    const writerOf = new Map<string, number>();
    const writes: sends.NewMessage[] = [];
    const writeIds: Array<string | undefined> = jobs.map(() => undefined);
    for (const [i, job] of jobs.entries()) {
      if (outcomes[i]) continue;
      if (!rooms.has(job.roomId)) {
        outcomes[i] = { ok: false, error: notFound("Room") };
        continue;
      }
      const key = job.clientId === null ? null : `${job.roomId}:${job.senderId}:${job.clientId}`;
      const writer = key === null ? undefined : writerOf.get(key);
      if (writer !== undefined) {
        writeIds[i] = writeIds[writer];
        continue;
      }
      if (key !== null) writerOf.set(key, i);
      const id = randomUUID();
      writeIds[i] = id;
      writes.push({ id, ...job });
    }
    const stored = new Map<string, MessageRow>();
    for (const row of writes.length > 0 ? await sends.insertMessages(tx, writes) : [])
      stored.set(row.id, row);
    const fresh = writes.filter((w) => stored.has(w.id));
    const earlier = await this.findEarlier(tx, writes, stored);

    const emits: SocketEmit[] = fresh.map((w) => {
      const message = presentMessage(stored.get(w.id) as MessageRow);
      return { rooms: [`room:${w.roomId}`], event: "message_received", data: { roomId: w.roomId, message } };
    });
    if (emits.length > 0) await emitManyAfterCommit(this.ctx.outbox, tx, emits, { deliverHere: true });

    return jobs.map((_, i): Outcome => {
      const done = outcomes[i];
      if (done) return done;
      const id = writeIds[i];
      const row = id === undefined ? undefined : (stored.get(id) ?? earlier.get(id));
      if (!row) return { ok: false, error: new Error("duplicate message not found") };
      return { ok: true, value: presentMessage(row) };
    });
  }

  /** For writes that stored nothing (their clientId was sent before): the stored message, by write id. */
  private async findEarlier(
    tx: Transaction,
    writes: sends.NewMessage[],
    stored: Map<string, MessageRow>,
  ): Promise<Map<string, MessageRow>> {
    const repeats = writes.filter((w) => !stored.has(w.id) && w.clientId !== null);
    const found = new Map<string, MessageRow>();
    if (repeats.length === 0) return found;
    const keys = repeats.map((w) => ({ roomId: w.roomId, senderId: w.senderId, clientId: w.clientId ?? "" }));
    const rows = await sends.findByClientIds(tx, keys);
    for (const w of repeats) {
      const row = rows.find(
        (r) => r.room_id === w.roomId && r.sender_id === w.senderId && r.client_id === w.clientId,
      );
      if (row) found.set(w.id, row);
    }
    return found;
  }
}

/** The refusal `check` throws, or nothing when it passes (a membership that appeared since the first read). */
async function refusal(check: () => Promise<void>): Promise<Outcome | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    return { ok: false, error };
  }
}
