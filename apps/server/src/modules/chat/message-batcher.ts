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
 * each batch is ONE transaction of two statements whatever its size: the messages (membership check, room
 * locks and inserts in one statement) and one outbox row for their `message_received` events. A lone send
 * goes out at once (no waiting window), so group commit only ever shortens the queue. A send refused by a
 * rule (not a member) fails alone; a batch that fails as a whole (a database error) is retried send by send,
 * so one bad send cannot sink the others. The events are delivered by this node straight from the commit
 * (the outbox row keeps them safe if it dies first).
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
    // The first send of a (room, sender, clientId) writes; repeats in the same batch get what it got.
    const writerOf = new Map<string, number>();
    const writes: sends.NewMessage[] = [];
    const writeOf = jobs.map((job): number => {
      const key = job.clientId === null ? null : `${job.roomId}:${job.senderId}:${job.clientId}`;
      const writer = key === null ? undefined : writerOf.get(key);
      if (writer !== undefined) return writer;
      if (key !== null) writerOf.set(key, writes.length);
      writes.push({ id: randomUUID(), ...job });
      return writes.length - 1;
    });
    const stored = new Map<string, MessageRow>();
    for (const row of await sends.storeMessages(tx, writes)) stored.set(row.id, row);

    const emits: SocketEmit[] = writes.flatMap((w) => {
      const row = stored.get(w.id);
      if (!row) return [];
      const message = presentMessage(row);
      return [
        { rooms: [`room:${w.roomId}`], event: "message_received", data: { roomId: w.roomId, message } },
      ];
    });
    if (emits.length > 0) await emitManyAfterCommit(this.ctx.outbox, tx, emits);

    const outcomes: Outcome[] = [];
    for (const w of writes) outcomes.push(await this.outcomeOf(tx, w, stored.get(w.id)));
    return writeOf.map((i) => outcomes[i] as Outcome);
  }

  private async outcomeOf(
    tx: Transaction,
    w: sends.NewMessage,
    row: MessageRow | undefined,
  ): Promise<Outcome> {
    if (row) return { ok: true, value: presentMessage(row) };
    // Rare: not stored. Either the sender may not send here (the check says which refusal it is), or the
    // clientId was sent before and the earlier message is the answer.
    const refused = await refusal(() => assertMember(tx, w.roomId, w.senderId));
    if (refused) return refused;
    const earlier = w.clientId === null ? undefined : await this.findEarlier(tx, w);
    if (!earlier) return { ok: false, error: notFound("Room") };
    return { ok: true, value: presentMessage(earlier) };
  }

  /** The message stored earlier under the write's (room, sender, clientId). */
  private async findEarlier(tx: Transaction, w: sends.NewMessage): Promise<MessageRow | undefined> {
    const [row] = await sends.findByClientIds(tx, [
      { roomId: w.roomId, senderId: w.senderId, clientId: w.clientId ?? "" },
    ]);
    return row;
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
