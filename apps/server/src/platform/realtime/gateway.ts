import { randomUUID } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import type {
  ClientEventName,
  ClientEventPayload,
  ClientEventReply,
  ServerEventName,
  ServerEventPayload,
} from "@softchat/contracts";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { Server } from "socket.io";
import type { z } from "zod";
import type { Config } from "../../config.js";
import type { AppContext } from "../context.js";
import { createLimiter } from "../ratelimit/index.js";
import { coalesceWrites } from "./coalesce-writes.js";
import {
  type ConnectionRegistry,
  MemoryConnectionRegistry,
  RedisConnectionRegistry,
} from "./connection-registry.js";
import { dispatchEvent, type EventHandler } from "./dispatch.js";
import { type HandshakeDeps, handshake } from "./handshake.js";
import { batchStreamBroadcasts } from "./stream-batches.js";
import type { ConnectHook, DisconnectHook, SoftchatServer, SoftchatSocket } from "./types.js";

/** The owner's figure; clients answer pings, so dead TCP connections are noticed within ~45 s. */
const PING_INTERVAL_MS = 25_000;
const PING_TIMEOUT_MS = 20_000;
/** Missed events are kept this long for a client that reconnects (connection state recovery). */
const RECOVERY_WINDOW_MS = 2 * 60_000;

type GatewayContext = Pick<AppContext, "tokens" | "metrics" | "redis">;

/**
 * The Socket.IO gateway: authenticates sockets, enforces connection limits and per-socket event rates,
 * dispatches client events to the handlers modules register, and fans events out to rooms (across nodes
 * through Redis Streams when REDIS_URL is set). Modules register handlers and hooks at start; `attach`
 * puts it on the HTTP server.
 */
export class RealtimeGateway {
  readonly io: SoftchatServer;
  /** Identifies this node's connections in the shared registry. */
  readonly nodeId = randomUUID();
  private readonly handlers = new Map<string, EventHandler>();
  private readonly connectHooks: ConnectHook[] = [];
  private readonly disconnectHooks: DisconnectHook[] = [];
  private readonly local = new Map<string, SoftchatSocket>();
  private registry: ConnectionRegistry;
  private heartbeat: NodeJS.Timeout | undefined;
  private adapterClient: Redis | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.io = new Server({
      serveClient: false,
      pingInterval: PING_INTERVAL_MS,
      pingTimeout: PING_TIMEOUT_MS,
      maxHttpBufferSize: config.BODY_LIMIT_BYTES,
      cors: { origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false, credentials: true },
      // Middlewares run again on recovery: the token is re-checked and the connection counted again.
      connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
    });
    this.registry = new MemoryConnectionRegistry(config.SOCKET_CONNECTION_TTL_MS);
  }

  /**
   * Answers client event `event`: the payload is validated with `schema`, `fn`'s result is acknowledged as
   * `{ ok: true, data }`, an AppError as `{ ok: false, error }`. Counted and timed in /metrics.
   */
  handle<E extends ClientEventName>(
    event: E,
    schema: z.ZodType<ClientEventPayload<E>>,
    fn: (socket: SoftchatSocket, payload: ClientEventPayload<E>) => Promise<ClientEventReply<E>>,
  ): void {
    if (this.handlers.has(event)) throw new Error(`socket event ${event} already has a handler`);
    this.handlers.set(event, {
      schema,
      fn: (socket, payload) => fn(socket, payload as ClientEventPayload<E>),
    });
  }

  /** Runs for every authenticated connection before the client sees `connect` (rooms joined there see all). */
  onConnect(hook: ConnectHook): void {
    this.connectHooks.push(hook);
  }

  onDisconnect(hook: DisconnectHook): void {
    this.disconnectHooks.push(hook);
  }

  /** Emits now (no transaction behind it: typing, presence). For committed state use the outbox instead. */
  emit<E extends ServerEventName>(rooms: string | string[], event: E, data: ServerEventPayload<E>): void {
    const targets = Array.isArray(rooms) ? rooms : [rooms];
    if (targets.length === 0) return;
    // Socket.IO's typed emit cannot see through the generic event name; the signature above checks it.
    (this.io.to(targets).emit as (ev: string, payload: unknown) => boolean)(event, data);
  }

  /** Like `emit`, but skips every socket in `except` (e.g. the sender's own devices). */
  emitExcept<E extends ServerEventName>(
    rooms: string[],
    except: string[],
    event: E,
    data: ServerEventPayload<E>,
  ): void {
    if (rooms.length === 0) return;
    (this.io.to(rooms).except(except).emit as (ev: string, payload: unknown) => boolean)(event, data);
  }

  /** The user's open connections on every node. */
  connectionCount(userId: string): Promise<number> {
    return this.registry.count(userId);
  }

  /** Connections open on this node. */
  get localConnections(): number {
    return this.local.size;
  }

  /** Starts serving sockets on `server` (the Fastify HTTP server). */
  attach(server: HttpServer, ctx: GatewayContext): void {
    const { config } = this;
    if (ctx.redis && config.REDIS_URL) {
      this.registry = new RedisConnectionRegistry(
        ctx.redis,
        config.REDIS_PREFIX,
        config.SOCKET_CONNECTION_TTL_MS,
      );
      // The broadcasts of one turn of the event loop go out as one stream entry (see stream-batches.ts). The
      // adapter reads the stream on a duplicate of this client, where its blocking XREAD waits alone.
      this.adapterClient = new Redis(config.REDIS_URL, {
        maxRetriesPerRequest: null,
        enableAutoPipelining: true,
      });
      this.adapterClient.on("error", (err) => this.logger.warn({ err }, "socket adapter redis error"));
      const base = `${config.REDIS_PREFIX}socket.io`;
      const sessionKeyPrefix = `${config.REDIS_PREFIX}sio:session:`;
      const streams = createAdapter(this.adapterClient, {
        streamName: base,
        channelPrefix: base,
        sessionKeyPrefix,
        // Short blocking reads so a closing node lets go of Redis quickly.
        blockTimeInMs: 1000,
      });
      const batching = { redis: this.adapterClient, streamName: base, sessionKeyPrefix };
      // A plain function, not an arrow: Socket.IO calls the adapter factory with `new`.
      this.io.adapter(function streamsAdapter(nsp: Parameters<typeof streams>[0]) {
        return batchStreamBroadcasts(streams(nsp), batching);
      });
    }
    const deps: HandshakeDeps = {
      tokens: ctx.tokens,
      registry: this.registry,
      nodeId: this.nodeId,
      maxPerNode: config.SOCKET_MAX_CONNECTIONS,
      maxPerUser: config.SOCKET_MAX_CONNECTIONS_PER_USER,
      localCount: () => this.local.size,
      connectHooks: this.connectHooks,
      logger: this.logger,
    };
    this.io.use(handshake(deps));
    // Per socket, so memory is right even when scaled out: a socket lives on one node.
    const limiter = createLimiter({ config, redis: undefined }, "socket", config.RATE_LIMIT_SOCKET);
    const observe = ctx.metrics.observeSocketEvent.bind(ctx.metrics);
    this.io.on("connection", (socket) => {
      this.local.set(socket.id, socket);
      ctx.metrics.socketsConnected.inc();
      // Idle means no event either way for SOCKET_IDLE_TIMEOUT_MS. An event the socket is sent counts as
      // much as one it sends: a member who only reads a busy room is using the connection, and closing it
      // would only make the SDK reconnect and resync. Pings and pongs do not count (the client library
      // answers them by itself, so nothing would ever be idle); dead peers are the ping timeout's job.
      // Activity is a timestamp read when the timer fires, not a timer reset per packet of a fan-out.
      let lastActiveAt = Date.now();
      const idleCheck = () => {
        const quietMs = Date.now() - lastActiveAt;
        if (quietMs >= config.SOCKET_IDLE_TIMEOUT_MS) {
          socket.disconnect(true);
          return;
        }
        idle = setTimeout(idleCheck, config.SOCKET_IDLE_TIMEOUT_MS - quietMs);
        idle.unref();
      };
      let idle = setTimeout(idleCheck, config.SOCKET_IDLE_TIMEOUT_MS);
      idle.unref();
      socket.conn.on("packetCreate", (packet: { type: string }) => {
        if (packet.type === "message") lastActiveAt = Date.now();
      });
      socket.onAny((event: string, ...args: unknown[]) => {
        lastActiveAt = Date.now();
        void dispatchEvent(
          { handlers: this.handlers, limiter, logger: this.logger, observe },
          socket,
          event,
          args,
        );
      });
      socket.on("disconnect", (reason) => {
        clearTimeout(idle);
        this.local.delete(socket.id);
        ctx.metrics.socketsConnected.dec();
        // The rate allowance is not reset: a recovered socket keeps its id, and reconnecting must not
        // buy a fresh allowance. Its entry expires with the window.
        void this.afterDisconnect(socket, reason);
      });
    });
    this.io.attach(server);
    this.io.engine.on("connection", coalesceWrites);
    this.heartbeat = setInterval(() => {
      const live = [...this.local.values()].map((s) => ({
        userId: s.data.userId,
        connectionId: `${this.nodeId}:${s.id}`,
      }));
      this.registry.refresh(live).catch((err) => this.logger.warn({ err }, "connection refresh failed"));
    }, config.SOCKET_CONNECTION_TTL_MS / 3);
    this.heartbeat.unref();
  }

  /**
   * Drops every socket of this node with a reason clients treat as recoverable, so they reconnect (to
   * another node when scaled) and resume. Called before the HTTP server closes, since open WebSockets
   * would hold it open.
   */
  disconnectAll(): void {
    this.io.engine?.close();
  }

  /** Stops the gateway: sockets, adapter, Redis client, timers. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      await this.io.close();
      this.adapterClient?.disconnect();
    })();
    return this.closing;
  }

  private async afterDisconnect(socket: SoftchatSocket, reason: string): Promise<void> {
    try {
      await this.registry.remove(socket.data.userId, `${this.nodeId}:${socket.id}`);
    } catch (err) {
      this.logger.warn({ err }, "connection removal failed");
    }
    for (const hook of this.disconnectHooks) {
      try {
        await hook(socket, reason);
      } catch (err) {
        this.logger.error({ err, userId: socket.data.userId }, "disconnect hook failed");
      }
    }
  }
}
