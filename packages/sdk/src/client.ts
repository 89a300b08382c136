import type { OrderbookUpdateEvent } from "@softchat/contracts";
import { AuthApi, refreshWith } from "./api/auth.js";
import { ChatApi } from "./api/chat.js";
import { NotificationsApi } from "./api/notifications.js";
import { PresenceApi } from "./api/presence.js";
import { TradingApi } from "./api/trading.js";
import { WalletApi } from "./api/wallet.js";
import { SoftchatError } from "./errors.js";
import { type FetchFn, HttpTransport, type RequestOptions } from "./http/transport.js";
import { RealtimeClient } from "./realtime/realtime-client.js";
import type { RealtimeOptions } from "./realtime/types.js";
import { type AuthChangeListener, AuthSession } from "./session.js";
import { memoryTokenStore, type TokenStore } from "./token-store.js";

export interface ClientOptions {
  /** Where the Softchat server is, e.g. `https://chat.example.com` or `""` for the page's own origin. */
  baseUrl: string;
  /** The fetch to use; defaults to the platform's. */
  fetch?: FetchFn;
  /** Where the refresh token lives (the access token stays in memory). Default: memory only. */
  storage?: TokenStore;
  /** Called on sign-in, silent refresh, profile update and sign-out. */
  onAuthChange?: AuthChangeListener;
  /** Per-request timeout in ms (default 15,000). */
  timeoutMs?: number;
  /** Options for `client.realtime`. */
  realtime?: RealtimeOptions;
}

/** The whole typed API: REST groups plus the live connection. */
export interface SoftchatClient {
  auth: AuthApi;
  chat: ChatApi;
  presence: PresenceApi;
  notifications: NotificationsApi;
  wallet: WalletApi;
  trading: TradingApi;
  /** The live connection; nothing connects until `realtime.connect()`. */
  realtime: RealtimeClient;
  /** Subscribes to auth changes. Returns the unsubscribe function. */
  onAuthChange(listener: AuthChangeListener): () => void;
  /** Any API route the SDK does not wrap yet, with the same auth and error handling. */
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
}

/** Creates a Softchat client for the browser or Node (fetch + socket.io-client, nothing Node-only). */
export function createClient(options: ClientOptions): SoftchatClient {
  const fetchFn: FetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const store = options.storage ?? memoryTokenStore();
  let http: HttpTransport | null = null;
  const session = new AuthSession(store, (token) => {
    if (!http) throw new SoftchatError(0, "network_error", "The client is not ready");
    return refreshWith(http)(token);
  });
  http = new HttpTransport({
    baseUrl: options.baseUrl,
    fetch: fetchFn,
    session,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  const transport = http;
  if (options.onAuthChange) session.onChange(options.onAuthChange);

  const auth = new AuthApi(transport, session);
  const currentUserId = async (): Promise<string> => (session.user ?? (await auth.me())).id;
  const chat = new ChatApi(transport, currentUserId);
  const notifications = new NotificationsApi(transport, currentUserId);
  const trading = new TradingApi(transport);
  const realtime = new RealtimeClient(
    {
      baseUrl: options.baseUrl || pageOrigin(),
      session,
      chat,
      notifications,
      fetchOrderBook: (pairId): Promise<OrderbookUpdateEvent> => trading.orderbook(pairId),
      serverNow: () => transport.serverNow(),
    },
    options.realtime,
  );
  return {
    auth,
    chat,
    presence: new PresenceApi(transport),
    notifications,
    wallet: new WalletApi(transport, currentUserId),
    trading,
    realtime,
    onAuthChange: (listener) => session.onChange(listener),
    request: (method, path, requestOptions) => transport.request(method, path, requestOptions),
  };
}

/** The page's origin in a browser; Socket.IO needs an absolute URL or its own default. */
function pageOrigin(): string {
  const location = (globalThis as { location?: { origin?: string } }).location;
  return location?.origin ?? "";
}
