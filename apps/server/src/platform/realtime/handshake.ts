import type { Logger } from "pino";
import type { TokenService } from "../auth/tokens.js";
import { AppError } from "../http/errors.js";
import type { ConnectionRegistry } from "./connection-registry.js";
import type { ConnectHook, SoftchatSocket } from "./types.js";

export interface HandshakeDeps {
  tokens: TokenService;
  registry: ConnectionRegistry;
  nodeId: string;
  maxPerNode: number;
  maxPerUser: number;
  localCount(): number;
  connectHooks: readonly ConnectHook[];
  logger: Logger;
}

/** What a refused client sees: `connect_error` with `message` = the code and `data` = `{ code, message }`. */
export interface HandshakeRefusal extends Error {
  data: { code: string; message: string };
}

function refusal(code: string, message: string): HandshakeRefusal {
  const err = new Error(code) as HandshakeRefusal;
  err.data = { code, message };
  return err;
}

/**
 * The connection middleware: verifies the access token from `auth.token`, applies the per-node and per-user
 * connection limits, joins the socket to `user:{userId}` and runs the modules' connect hooks, all before the
 * client is told it is connected, so no event to its rooms can slip past it.
 */
export function handshake(deps: HandshakeDeps) {
  return async (socket: SoftchatSocket, next: (err?: Error) => void): Promise<void> => {
    try {
      const auth: unknown = socket.handshake.auth;
      const token =
        typeof auth === "object" && auth !== null && "token" in auth && typeof auth.token === "string"
          ? auth.token
          : undefined;
      const actor = await deps.tokens.verifyAccess(token);
      if (deps.localCount() >= deps.maxPerNode) {
        return next(refusal("too_many_connections", "This server has no room for more connections"));
      }
      // If the client goes away before this middleware ends, Socket.IO drops the socket without a
      // `disconnect`: the entry then simply expires with the registry's TTL.
      const added = await deps.registry.tryAdd(actor.userId, `${deps.nodeId}:${socket.id}`, deps.maxPerUser);
      if (!added) {
        return next(refusal("too_many_connections", `At most ${deps.maxPerUser} connections per user`));
      }
      socket.data = { userId: actor.userId, role: actor.role };
      socket.join(`user:${actor.userId}`);
      for (const hook of deps.connectHooks) {
        try {
          await hook(socket);
        } catch (err) {
          deps.logger.error({ err, userId: actor.userId }, "connect hook failed");
        }
      }
      next();
    } catch (err) {
      if (err instanceof AppError && err.code === "unauthenticated") {
        return next(refusal("unauthenticated", err.message));
      }
      deps.logger.error({ err }, "socket handshake failed");
      next(refusal("unavailable", "Could not accept the connection, try again"));
    }
  };
}
