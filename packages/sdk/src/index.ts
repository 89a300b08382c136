export { AuthApi } from "./api/auth.js";
export { ChatApi, type HistoryQuery } from "./api/chat.js";
export {
  type AdminNotificationInput,
  type NotificationQuery,
  NotificationsApi,
} from "./api/notifications.js";
export { PresenceApi } from "./api/presence.js";
export { TradingApi } from "./api/trading.js";
export { type MoneyOptions, WalletApi } from "./api/wallet.js";
export { type ClientOptions, createClient, type SoftchatClient } from "./client.js";
export {
  isAuthFailure,
  isSoftchatError,
  isTransient,
  type SdkErrorCode,
  SoftchatError,
  type SoftchatErrorCode,
} from "./errors.js";
export type { FetchFn, QueryValue, RequestOptions } from "./http/transport.js";
export { newId } from "./ids.js";
export { type BackoffPolicy, backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from "./realtime/backoff.js";
export { compareDecimal } from "./realtime/decimal.js";
export { LiveOrderBook, type OrderBookSource } from "./realtime/live-order-book.js";
export {
  type BookLevel,
  type DeltaOutcome,
  OrderBookMirror,
  type OrderBookView,
} from "./realtime/order-book.js";
export { RealtimeClient } from "./realtime/realtime-client.js";
export type { ConnectionState, RealtimeOptions, SyncInfo } from "./realtime/types.js";
export type { AuthChangeListener, AuthChangeReason, AuthState } from "./session.js";
export {
  type ChatEntry,
  type ChatRoomState,
  ChatRoomStore,
  type DeliveryStatus,
} from "./stores/chat-room-store.js";
export { type NotificationsState, NotificationsStore } from "./stores/notifications-store.js";
export { type PresenceMap, PresenceStore } from "./stores/presence-store.js";
export { SnapshotStore } from "./stores/store.js";
export {
  type KeyValueStorage,
  memoryTokenStore,
  type TokenStore,
  webStorageTokenStore,
} from "./token-store.js";
