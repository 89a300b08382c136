import type { ClientToServerEvents, Role, ServerToClientEvents } from "@softchat/contracts";
import type { Server, Socket } from "socket.io";

/** What the handshake proved about a socket; set before any handler runs. */
export interface SocketData {
  userId: string;
  role: Role;
}

/** Events between nodes: none of our own; the adapter carries broadcasts. */
// biome-ignore lint/complexity/noBannedTypes: Socket.IO's typed server wants a map, and we define no events
export type InterServerEvents = {};

export type SoftchatServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type SoftchatSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

/** Runs for each new (or recovered) connection before the client sees `connect`: join rooms, mark presence. */
export type ConnectHook = (socket: SoftchatSocket) => Promise<void> | void;

/** Runs once a socket has gone; `reason` is Socket.IO's disconnect reason. */
export type DisconnectHook = (socket: SoftchatSocket, reason: string) => Promise<void> | void;
