import type { Socket as TcpSocket } from "node:net";

/** The parts of an Engine.IO connection this module relies on. */
interface EngineConnection {
  flush(): unknown;
  transport?: { name?: string; socket?: { _socket?: unknown } };
}

/**
 * Makes what a connection is sent in one turn of the event loop leave in one TCP write. Engine.IO writes a
 * packet the moment it is emitted, and the packets emitted meanwhile go out on the next drain, still one
 * write per WebSocket frame: a settled fill (order, two balances, notification) cost its owner's connection
 * four or five writes, each a system call here and a wake-up in the client. The flush now waits for the end
 * of the current turn, and the frames of a flush are written while the TCP socket is corked, so Node sends
 * them with a single writev. Order is kept: packets still leave in the order they were emitted.
 */
export function coalesceWrites(conn: EngineConnection): void {
  const flushNow = conn.flush.bind(conn);
  let scheduled = false;
  const run = () => {
    scheduled = false;
    // Read at flush time: an upgrade from polling replaces the transport.
    const tcp = websocketTcp(conn);
    tcp?.cork();
    try {
      flushNow();
    } finally {
      tcp?.uncork();
    }
  };
  conn.flush = () => {
    if (!scheduled) {
      scheduled = true;
      process.nextTick(run);
    }
    return conn;
  };
}

/** The TCP socket under a WebSocket transport (ws keeps it as `_socket`); none for HTTP long-polling. */
function websocketTcp(conn: EngineConnection): TcpSocket | undefined {
  const transport = conn.transport;
  if (transport?.name !== "websocket") return undefined;
  const tcp = transport.socket?._socket as TcpSocket | undefined;
  return tcp && typeof tcp.cork === "function" && !tcp.destroyed ? tcp : undefined;
}
