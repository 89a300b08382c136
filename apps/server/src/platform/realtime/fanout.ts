import type { Transaction } from "../db/index.js";
import { type Outbox, SOCKET_EMIT_TOPIC, type SocketEmit } from "../outbox/index.js";
import type { RealtimeGateway } from "./gateway.js";

/** Outbox topic carrying many socket events written together (broadcasts), delivered in order. */
export const SOCKET_EMIT_MANY_TOPIC = "socket.emit_many";

/**
 * Queues several socket events as ONE outbox row, for fan-outs too large for a row per event (an admin
 * broadcast to every user) or written together (a batch of chat messages). Delivered after commit, in
 * order, like `emitAfterCommit`: by the committing node straight from the commit.
 */
export function emitManyAfterCommit(outbox: Outbox, tx: Transaction, emits: SocketEmit[]): Promise<void> {
  return outbox.publish(tx, SOCKET_EMIT_MANY_TOPIC, { emits }, { deliverHere: true });
}

/**
 * `emitManyAfterCommit` for events the database builds from rows the transaction's final statement
 * changes (balances as the ledger's last UPDATE leaves them, whatever committed in between): `source.select`
 * yields at most one row whose `emits` column is a jsonb array of socket events.
 */
export function emitManyComputedAfterCommit(
  outbox: Outbox,
  tx: Transaction,
  source: { with: string; select: string; params: readonly unknown[] },
): void {
  outbox.publishComputed(
    tx,
    SOCKET_EMIT_MANY_TOPIC,
    {
      with: source.with,
      select: `SELECT jsonb_build_object('emits', s.emits) AS payload FROM (${source.select}) AS s`,
      params: source.params,
    },
    { deliverHere: true },
  );
}

function isSocketEmit(value: unknown): value is SocketEmit {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<SocketEmit>;
  return Array.isArray(v.rooms) && v.rooms.every((r) => typeof r === "string") && typeof v.event === "string";
}

/** Delivers committed socket events (`socket.emit`, `socket.emit_many`) to their Socket.IO rooms. */
export function installOutboxFanout(outbox: Outbox, gateway: RealtimeGateway): void {
  const send = (emit: SocketEmit) => {
    if (emit.rooms.length === 0) return;
    // The event name and payload come from our own modules through the outbox, not from a client.
    (gateway.io.to(emit.rooms).emit as (ev: string, data: unknown) => boolean)(emit.event, emit.data);
  };
  outbox.on(SOCKET_EMIT_TOPIC, (event) => {
    if (isSocketEmit(event.payload)) send(event.payload);
  });
  outbox.on(SOCKET_EMIT_MANY_TOPIC, (event) => {
    const emits = (event.payload as { emits?: unknown }).emits;
    if (!Array.isArray(emits)) return;
    for (const emit of emits) if (isSocketEmit(emit)) send(emit);
  });
}
