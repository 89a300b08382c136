import type {
  Ack,
  ClientEventName,
  ClientEventPayload,
  ClientEventReply,
  ClientToServerEvents,
  ServerToClientEvents,
} from "@softchat/contracts";
import { io, type Socket } from "socket.io-client";
import { isAuthFailure, SoftchatError, statusForCode } from "../errors.js";
import type { AuthSession } from "../session.js";
import { type BackoffPolicy, backoffDelay } from "./backoff.js";

export interface SocketLinkOptions {
  url: string;
  /** Socket.IO endpoint path; the server's default is `/socket.io`. */
  path?: string;
  transports?: Array<"polling" | "websocket" | "webtransport">;
  backoff: BackoffPolicy;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  random: () => number;
}

/** What the link tells its owner. */
export interface SocketLinkHandlers {
  connected(recovered: boolean): void;
  disconnected(reason: string): void;
  /** A connection attempt failed; `failures` counts consecutive failures since the last connection. */
  attemptFailed(failures: number, error: SoftchatError): void;
  /** The server refused the session and no refresh could fix it. The link has stopped. */
  authLost(error: unknown): void;
  /** Every server -> client event. */
  event(name: string, payload: unknown): void;
}

type SoftchatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The untyped view of emitWithAck: the map's per-event typing does not survive a generic event name. */
interface AckEmitter {
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
}

interface ConnectError extends Error {
  data?: { code?: unknown };
}

/**
 * One Socket.IO connection and the SDK's own reconnect loop. Socket.IO's reconnection is switched off so the
 * SDK decides when to retry: exponential backoff with full jitter, a fresh access token on every attempt
 * (the `auth` callback runs per attempt) and one refresh-and-retry when the server says `unauthenticated`.
 * The same Socket object is reused, so Socket.IO connection state recovery can resume the session.
 */
export class SocketLink {
  private socket: SoftchatSocket | null = null;
  private running = false;
  private failures = 0;
  private authRetried = false;
  private sentToken: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attemptTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: SocketLinkOptions,
    private readonly session: AuthSession,
    private readonly handlers: SocketLinkHandlers,
  ) {}

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  /** Consecutive failed attempts since the last successful connection. */
  get failedAttempts(): number {
    return this.failures;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    void this.attempt();
  }

  stop(): void {
    this.running = false;
    this.clearTimers();
    this.socket?.disconnect();
  }

  /**
   * Stops and throws the socket away. The next start opens a new Socket.IO session: a session (and the rooms
   * the server would restore with it) must never carry over from one signed-in user to the next.
   */
  discard(): void {
    this.stop();
    // The handlers registered in ensureSocket ignore any socket that is no longer the current one.
    this.socket = null;
  }

  /** Skips the backoff wait (e.g. the browser says it is online again). */
  reconnectNow(): void {
    if (!this.running || this.connected || this.retryTimer === undefined) return;
    void this.attempt();
  }

  /** Emits a client event and resolves with the acknowledgement's data; throws SoftchatError otherwise. */
  async emitAck<E extends ClientEventName>(
    event: E,
    payload: ClientEventPayload<E>,
    timeoutMs = this.options.ackTimeoutMs,
  ): Promise<ClientEventReply<E>> {
    const socket = this.socket;
    if (!socket?.connected) throw new SoftchatError(0, "disconnected", `Not connected: ${event} not sent`);
    let reply: Ack<ClientEventReply<E>>;
    try {
      const emitter = socket as unknown as AckEmitter;
      reply = (await emitter.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<ClientEventReply<E>>;
    } catch (err) {
      if (!socket.connected || /disconnected/.test((err as Error).message)) {
        throw new SoftchatError(0, "disconnected", `Connection lost before ${event} was acknowledged`);
      }
      throw new SoftchatError(0, "timeout", `${event} was not acknowledged within ${timeoutMs} ms`);
    }
    if (reply.ok) return reply.data;
    const { code, message, details } = reply.error;
    const detailRecord = isRecord(details) ? details : undefined;
    const retryAfter = detailRecord?.retryAfterMs;
    throw new SoftchatError(
      statusForCode(code),
      code,
      message,
      detailRecord,
      typeof retryAfter === "number" ? retryAfter : undefined,
    );
  }

  private ensureSocket(): SoftchatSocket {
    if (this.socket) return this.socket;
    const socket: SoftchatSocket = io(this.options.url, {
      autoConnect: false,
      reconnection: false,
      forceNew: true,
      timeout: this.options.connectTimeoutMs,
      ...(this.options.path ? { path: this.options.path } : {}),
      ...(this.options.transports ? { transports: this.options.transports } : {}),
      // A function, so each attempt sends the token current at that moment, never a stale one.
      auth: (cb) => {
        this.sentToken = this.session.accessToken;
        cb({ token: this.sentToken ?? "" });
      },
    });
    const current = () => this.socket === socket;
    socket.on("connect", () => current() && this.onConnect(socket));
    socket.on("connect_error", (err) => current() && this.onConnectError(err as ConnectError));
    socket.on("disconnect", (reason) => current() && this.onDisconnect(reason));
    socket.onAny((event: string, ...args: unknown[]) => current() && this.handlers.event(event, args[0]));
    this.socket = socket;
    return socket;
  }

  private async attempt(keepAuthRetry = false): Promise<void> {
    this.clearTimers();
    if (!this.running) return;
    if (!keepAuthRetry) this.authRetried = false;
    if (this.session.accessToken === null) {
      try {
        await this.session.refreshAccessToken(null);
      } catch (err) {
        if (!this.running) return;
        if (isAuthFailure(err)) return this.loseAuth(err);
        return this.fail(toSoftchatError(err));
      }
      if (!this.running) return;
    }
    const socket = this.ensureSocket();
    this.attemptTimer = setTimeout(() => {
      this.attemptTimer = undefined;
      if (socket.connected || !this.running) return;
      socket.disconnect();
      this.fail(new SoftchatError(0, "timeout", "The socket did not connect in time"));
    }, this.options.connectTimeoutMs);
    socket.connect();
  }

  private onConnect(socket: SoftchatSocket): void {
    this.clearTimers();
    this.failures = 0;
    this.handlers.connected(socket.recovered === true);
  }

  private onConnectError(err: ConnectError): void {
    clearTimeout(this.attemptTimer);
    this.attemptTimer = undefined;
    if (!this.running) return;
    const code = typeof err.data?.code === "string" ? err.data.code : err.message;
    if (code === "unauthenticated" && !this.authRetried) {
      // The access token expired between attempts: refresh once and retry at once.
      this.authRetried = true;
      this.session.refreshAccessToken(this.sentToken).then(
        () => this.attempt(true),
        (refreshErr) =>
          isAuthFailure(refreshErr) ? this.loseAuth(refreshErr) : this.fail(toSoftchatError(refreshErr)),
      );
      return;
    }
    const known = /^[a-z_]+$/.test(code) && code !== "timeout";
    this.fail(
      known
        ? new SoftchatError(statusForCode(code), code, err.message)
        : new SoftchatError(0, "network_error", `Socket connection failed: ${err.message}`),
    );
  }

  private onDisconnect(reason: string): void {
    // "io client disconnect" is our own doing: stop(), or an attempt that timed out (already rescheduled).
    if (!this.running || reason === "io client disconnect") return;
    this.handlers.disconnected(reason);
    this.schedule(backoffDelay(0, this.options.backoff, this.options.random));
  }

  private fail(error: SoftchatError): void {
    if (!this.running) return;
    this.failures++;
    this.handlers.attemptFailed(this.failures, error);
    this.schedule(backoffDelay(this.failures - 1, this.options.backoff, this.options.random));
  }

  private loseAuth(error: unknown): void {
    this.stop();
    this.handlers.authLost(error);
  }

  private schedule(delayMs: number): void {
    this.clearTimers();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, delayMs);
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.attemptTimer);
    this.retryTimer = undefined;
    this.attemptTimer = undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toSoftchatError(err: unknown): SoftchatError {
  if (err instanceof SoftchatError) return err;
  return new SoftchatError(0, "network_error", err instanceof Error ? err.message : String(err));
}
