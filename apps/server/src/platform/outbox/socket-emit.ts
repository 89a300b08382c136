import type { Transaction } from "../db/index.js";
import type { Outbox } from "./outbox.js";

/** Outbox topic the real-time gateway delivers to Socket.IO rooms. */
export const SOCKET_EMIT_TOPIC = "socket.emit";

/** A socket event to send to Socket.IO rooms (`user:{id}`, `room:{id}`, ...) once the transaction commits. */
export interface SocketEmit {
  rooms: string[];
  event: string;
  data: unknown;
}

/**
 * Queues a socket event in the caller's transaction. Nothing is sent if the transaction rolls back; after
 * commit the committing node emits it (the Redis adapter carries it to the others), straight from the
 * commit: a claim round trip and a delivered mark per event would cost more than the emit itself. Should
 * the node die first, a poller on any node delivers it once its lease runs out.
 */
export function emitAfterCommit(outbox: Outbox, tx: Transaction, emit: SocketEmit): Promise<void> {
  return outbox.publish(tx, SOCKET_EMIT_TOPIC, emit, { deliverHere: true });
}
