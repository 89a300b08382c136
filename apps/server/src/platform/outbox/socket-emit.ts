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
 * commit the gateway emits it on whichever node claims it (the Redis adapter carries it to the others).
 */
export function emitAfterCommit(outbox: Outbox, tx: Transaction, emit: SocketEmit): Promise<void> {
  return outbox.publish(tx, SOCKET_EMIT_TOPIC, emit);
}
