export {
  type ConnectionRegistry,
  MemoryConnectionRegistry,
  RedisConnectionRegistry,
} from "./connection-registry.js";
export { emitManyAfterCommit, emitManyComputedAfterCommit, SOCKET_EMIT_MANY_TOPIC } from "./fanout.js";
export { RealtimeGateway } from "./gateway.js";
export type { HandshakeRefusal } from "./handshake.js";
export { realtimeModule } from "./module.js";
export type { ConnectHook, DisconnectHook, SocketData, SoftchatServer, SoftchatSocket } from "./types.js";
