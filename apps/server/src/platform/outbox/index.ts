export {
  Outbox,
  type OutboxEvent,
  type OutboxHandler,
  type OutboxOptions,
  type PublishOptions,
} from "./outbox.js";
export { pruneDeliveredEvents, startOutboxPrune } from "./prune.js";
export { emitAfterCommit, SOCKET_EMIT_TOPIC, type SocketEmit } from "./socket-emit.js";
