import { type BackoffPolicy, DEFAULT_BACKOFF } from "./backoff.js";

/**
 * What the UI can show: `connecting` (first attempt), `connected`, `reconnecting` (lost it, retrying with
 * backoff), `polling` (the socket keeps failing, HTTP polling keeps data flowing while retries go on), and
 * `offline` (not started, signed out, or neither the socket nor HTTP reach the server).
 */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "polling" | "offline";

/** Told after the client caught up on what it missed, so views can refresh lists they keep themselves. */
export interface SyncInfo {
  /** "reconnect": a reconnect the server could not recover; "poll": a polling round. */
  via: "reconnect" | "poll";
  /** False when some catch-up request failed (the next round retries). */
  complete: boolean;
}

export interface RealtimeOptions {
  /** Socket.IO server URL; defaults to the client's baseUrl. */
  url?: string;
  /** Socket.IO path; defaults to `/socket.io`. */
  path?: string;
  /** Socket.IO transports; defaults to Socket.IO's (HTTP long-polling, upgraded to WebSocket). */
  transports?: Array<"polling" | "websocket" | "webtransport">;
  /** Reconnect backoff: base 1 s, max 30 s, full jitter. */
  backoff?: Partial<BackoffPolicy>;
  /** Failed connection attempts in a row before HTTP polling starts (default 5). */
  maxFailedAttempts?: number;
  /** Polling period while the socket is down (default 2,000 ms, the product's figure). */
  pollIntervalMs?: number;
  /** How long an emitted event waits for its acknowledgement (default 10,000 ms). */
  ackTimeoutMs?: number;
  /** How long one connection attempt may take (default 10,000 ms). */
  connectTimeoutMs?: number;
  /** Messages kept while offline before sendMessage refuses more (default 500). */
  maxQueuedMessages?: number;
  /** Track notifications for catch-up after an unrecovered reconnect (one request at connect; default true). */
  followNotifications?: boolean;
  /** Random source for jitter, [0, 1). */
  random?: () => number;
}

/** RealtimeOptions with every default filled in. */
export type ResolvedRealtimeOptions = Required<Omit<RealtimeOptions, "path" | "transports" | "backoff">> &
  Pick<RealtimeOptions, "path" | "transports"> & { backoff: BackoffPolicy };

/** Fills in the defaults documented on RealtimeOptions. */
export function resolveRealtimeOptions(options: RealtimeOptions, baseUrl: string): ResolvedRealtimeOptions {
  return {
    url: options.url ?? baseUrl,
    path: options.path,
    transports: options.transports,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    maxFailedAttempts: options.maxFailedAttempts ?? 5,
    pollIntervalMs: options.pollIntervalMs ?? 2000,
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    maxQueuedMessages: options.maxQueuedMessages ?? 500,
    followNotifications: options.followNotifications ?? true,
    random: options.random ?? Math.random,
  };
}
