import type {
  ChatMessage,
  ChatRoom,
  Notification,
  OrderbookUpdateEvent,
  Presence,
  ServerEventName,
  ServerEventPayload,
  TypingEvent,
} from "@softchat/contracts";
import type { ChatApi } from "../api/chat.js";
import type { NotificationsApi } from "../api/notifications.js";
import { isTransient, SoftchatError } from "../errors.js";
import { newId } from "../ids.js";
import type { AuthSession } from "../session.js";
import { CatchUp } from "./catch-up.js";
import { EventHub, listenOnline } from "./event-hub.js";
import { Listeners } from "./listeners.js";
import type { LiveOrderBook } from "./live-order-book.js";
import { MarketData } from "./market-data.js";
import { RoomSubscriptions } from "./room-subscriptions.js";
import { type Sender, SendQueue } from "./send-queue.js";
import { SocketLink } from "./socket-link.js";
import {
  type ConnectionState,
  type RealtimeOptions,
  type ResolvedRealtimeOptions,
  resolveRealtimeOptions,
  type SyncInfo,
} from "./types.js";

export interface RealtimeDeps {
  baseUrl: string;
  session: AuthSession;
  chat: ChatApi;
  notifications: NotificationsApi;
  fetchOrderBook(pairId: string): Promise<OrderbookUpdateEvent>;
  /** The server's clock as the HTTP replies tell it (ms since the epoch). */
  serverNow(): number;
}

type Waiter = { resolve(): void; reject(err: unknown): void };

/**
 * The live side of Softchat: one socket with the SDK's own reconnect loop, HTTP polling when the socket
 * keeps failing, an offline queue for messages, and a catch-up after reconnects the server could not
 * recover, so that every message and notification reaches `on(...)` handlers once and in order.
 */
export class RealtimeClient {
  private current: ConnectionState = "offline";
  private started = false;
  private everConnected = false;
  private waiters: Waiter[] = [];
  private desiredPresence: "online" | "away" | null = null;
  private lastRetryAfterMs = 1000;
  private readonly hub = new EventHub();
  private readonly stateListeners = new Listeners<[ConnectionState]>();
  private readonly link: SocketLink;
  private readonly subscriptions: RoomSubscriptions;
  private readonly catchUp: CatchUp;
  private readonly queue: SendQueue;
  private readonly market: MarketData;
  private readonly options: ResolvedRealtimeOptions;

  constructor(
    private readonly deps: RealtimeDeps,
    options: RealtimeOptions = {},
  ) {
    const o = resolveRealtimeOptions(options, deps.baseUrl);
    this.options = o;
    this.link = new SocketLink(o, deps.session, {
      connected: (recovered) => this.onConnected(recovered),
      disconnected: () => this.updateState(),
      attemptFailed: (failures) => this.onAttemptFailed(failures),
      authLost: () => this.reset(),
      event: (name, payload) => this.dispatch(name, payload),
    });
    this.subscriptions = new RoomSubscriptions(this.link, () => this.whenConnected());
    this.catchUp = new CatchUp({
      chat: deps.chat,
      serverNow: deps.serverNow,
      notifications: deps.notifications,
      deliverMessage: (message) => this.hub.emit("message_received", { roomId: message.roomId, message }),
      deliverNotification: (notification) => this.hub.emit("new_notification", { notification }),
      followedRooms: () => this.subscriptions.rooms,
      followNotifications: o.followNotifications,
      pollIntervalMs: o.pollIntervalMs,
      afterPoll: () => {
        this.updateState();
        if (this.catchUp.isHealthy) void this.queue.flush();
      },
    });
    this.queue = new SendQueue(
      o.maxQueuedMessages,
      () => this.sender(),
      (err) => (err.code === "rate_limited" ? (err.retryAfterMs ?? this.lastRetryAfterMs) : 1000),
    );
    this.market = new MarketData({
      link: this.link,
      whenConnected: () => this.whenConnected(),
      fetchOrderBook: deps.fetchOrderBook,
      onOrderBookUpdate: (handler) => this.on("orderbook_update", handler),
    });
    deps.session.onChange((auth) => {
      if (auth.reason === "signed_out") this.reset();
      // A new sign-in (possibly as someone else) starts over on a fresh socket if we were connected.
      if (auth.reason === "signed_in" && this.started) {
        this.reset();
        this.connect();
      }
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Messages waiting to be sent. */
  get queuedMessages(): number {
    return this.queue.size;
  }

  /** Starts connecting (and keeps reconnecting until `disconnect()`). */
  connect(): void {
    if (this.started) return;
    this.started = true;
    listenOnline(this.onBrowserOnline, true);
    this.updateState();
    this.link.start();
  }

  /** Closes the socket and stops retrying; queued messages and waiting calls wait for the next `connect()`. */
  disconnect(): void {
    if (!this.started) return;
    this.started = false;
    listenOnline(this.onBrowserOnline, false);
    this.link.stop();
    this.catchUp.stopPolling();
    this.updateState();
  }

  /** Retries now instead of waiting out the backoff (the SDK does this when the browser comes online). */
  reconnectNow(): void {
    this.link.reconnectNow();
  }

  /** Typed server events, deduplicated and in order whether they came live, from catch-up or from polling. */
  on<E extends ServerEventName>(event: E, handler: (payload: ServerEventPayload<E>) => void): () => void {
    return this.hub.on(event, handler);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.stateListeners.add(listener);
  }

  /** Called after each catch-up (unrecovered reconnect or polling round). */
  onSync(listener: (info: SyncInfo) => void): () => void {
    return this.catchUp.onSync(listener);
  }

  /**
   * Follows a room: joins it on the socket now or as soon as connected (and again after any reconnect the
   * server did not recover) and notes its latest message, so nothing sent while we are away is missed.
   */
  async joinRoom(roomId: string): Promise<ChatRoom> {
    const baseline = this.catchUp.rooms.establishBaseline(roomId).catch(() => {});
    try {
      return await this.subscriptions.follow(roomId);
    } catch (err) {
      // Refused for good (no such room, not allowed): stop following it. A lost connection keeps it.
      if (!isTransient(err)) {
        this.subscriptions.unfollow(roomId);
        this.catchUp.rooms.forget(roomId);
      }
      throw err;
    } finally {
      await baseline;
    }
  }

  /** Stops following a room and leaves it on the server. */
  async leaveRoom(roomId: string): Promise<void> {
    this.subscriptions.unfollow(roomId);
    this.catchUp.rooms.forget(roomId);
    await this.whenConnected();
    await this.link.emitAck("leave_room", { roomId });
  }

  /**
   * Sends a chat message with a stable clientId: at once when connected, over HTTP while polling, otherwise
   * queued and sent when the connection returns. A resend never stores a second message. Resolves with the
   * stored message (which is also delivered to `message_received` handlers, once).
   */
  async sendMessage(roomId: string, text: string, options: { clientId?: string } = {}): Promise<ChatMessage> {
    const message = await this.queue.enqueue({ roomId, text, clientId: options.clientId ?? newId() });
    this.catchUp.rooms.receive(message);
    return message;
  }

  startTyping(roomId: string): Promise<TypingEvent> {
    if (this.link.connected) return this.link.emitAck("start_typing", { roomId });
    return this.deps.chat.typing(roomId, true);
  }

  stopTyping(roomId: string): Promise<TypingEvent> {
    if (this.link.connected) return this.link.emitAck("stop_typing", { roomId });
    return this.deps.chat.typing(roomId, false);
  }

  /** Marks a room read up to a message (or its latest). */
  markRoomRead(roomId: string, messageId?: string): Promise<{ roomId: string; unreadCount: number }> {
    if (this.link.connected) return this.link.emitAck("mark_room_read", { roomId, messageId });
    return this.deps.chat.read(roomId, messageId);
  }

  async markNotificationRead(notificationId: string): Promise<Notification> {
    if (this.link.connected) {
      return (await this.link.emitAck("mark_notification_read", { notificationId })).notification;
    }
    return this.deps.notifications.markRead(notificationId);
  }

  /** Sets my presence; kept and sent again after reconnects. Waits for the connection if there is none. */
  async updatePresence(status: "online" | "away"): Promise<Presence> {
    this.desiredPresence = status;
    await this.whenConnected();
    return this.link.emitAck("update_presence", { status });
  }

  /** A live order book for a trading pair; see LiveOrderBook. */
  joinTradingRoom(pairId: string): Promise<LiveOrderBook> {
    return this.market.joinTradingRoom(pairId);
  }

  subscribePrices(symbols: string[]): Promise<void> {
    return this.market.subscribePrices(symbols);
  }

  unsubscribePrices(symbols: string[]): Promise<void> {
    return this.market.unsubscribePrices(symbols);
  }

  /** Tells the catch-up what the app already shows (history it loaded), so it is not delivered again. */
  markSeen(messages: ChatMessage[]): void {
    this.catchUp.rooms.markSeen(messages);
  }

  /** Forgets everything of the current session (sign-out): rooms, queue, subscriptions. */
  reset(): void {
    this.disconnect();
    this.link.discard();
    for (const w of this.waiters.splice(0)) {
      w.reject(new SoftchatError(0, "disconnected", "Signed out before the connection was made"));
    }
    this.queue.rejectAll(new SoftchatError(0, "disconnected", "Signed out before the message was sent"));
    this.subscriptions.clear();
    this.catchUp.clear();
    this.market.clear();
    this.desiredPresence = null;
    this.everConnected = false;
  }

  private onBrowserOnline = (): void => this.link.reconnectNow();

  private onConnected(recovered: boolean): void {
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.catchUp.stopPolling();
    this.updateState();
    if (!recovered) {
      this.subscriptions.rejoinAll();
      if (reconnect) this.market.renew();
      if (this.desiredPresence === "away") {
        this.link.emitAck("update_presence", { status: "away" }).catch(() => {});
      }
    }
    for (const w of this.waiters.splice(0)) w.resolve();
    void this.queue.flush();
    if (!recovered) void this.catchUp.run("reconnect");
  }

  private onAttemptFailed(failures: number): void {
    if (failures >= this.options.maxFailedAttempts) this.catchUp.startPolling();
    this.updateState();
  }

  private sender(): Sender | null {
    if (this.link.connected) {
      return async (m) => (await this.link.emitAck("send_message", m)).message;
    }
    if (this.catchUp.isPolling && this.catchUp.isHealthy) {
      return (m) => this.deps.chat.send(m.roomId, { text: m.text, clientId: m.clientId });
    }
    return null;
  }

  /** Resolves once connected; calls made before `connect()` simply wait for it. Rejected by `reset()`. */
  private whenConnected(): Promise<void> {
    if (this.link.connected) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private dispatch(name: string, payload: unknown): void {
    // Messages and notifications go through the trackers, which drop what catch-up already delivered.
    if (name === "message_received") {
      this.catchUp.rooms.receive((payload as ServerEventPayload<"message_received">).message);
      return;
    }
    if (name === "new_notification" && this.options.followNotifications) {
      this.catchUp.notifications.receive((payload as ServerEventPayload<"new_notification">).notification);
      return;
    }
    if (name === "rate_limited") {
      this.lastRetryAfterMs = (payload as ServerEventPayload<"rate_limited">).retryAfterMs;
    }
    this.hub.emitUnchecked(name, payload);
  }

  private updateState(): void {
    let next: ConnectionState;
    if (!this.started) next = "offline";
    else if (this.link.connected) next = "connected";
    else if (this.catchUp.isPolling) next = this.catchUp.isHealthy ? "polling" : "offline";
    else if (this.everConnected || this.link.failedAttempts > 0) next = "reconnecting";
    else next = "connecting";
    if (next === this.current) return;
    this.current = next;
    this.stateListeners.emit(next);
  }
}
