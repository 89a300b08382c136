import type {
  ChatMessage,
  ChatRoom,
  ChatRoomSummary,
  CreateRoomBody,
  Page,
  RoomMember,
  RoomReadReply,
  TypingEvent,
} from "@softchat/contracts";
import type { HttpTransport } from "../http/transport.js";

/** History query: newest first with `cursor`, or the messages after `after` oldest first. */
export interface HistoryQuery {
  limit?: number;
  cursor?: string;
  /** A message id: return what came after it, oldest first (catching up after being away). */
  after?: string;
}

const room = (roomId: string) => `/api/chat/rooms/${encodeURIComponent(roomId)}`;

/** Rooms, DMs, history and sending over HTTP (`/api/chat/*`). The realtime client does the live part. */
export class ChatApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly currentUserId: () => Promise<string>,
  ) {}

  /** The rooms I belong to, with unread counts and the latest message. */
  async rooms(): Promise<ChatRoomSummary[]> {
    const { items } = await this.http.request<{ items: ChatRoomSummary[] }>("GET", "/api/chat/rooms");
    return items;
  }

  /** Creates a public or private room; I become its owner. */
  async createRoom(body: CreateRoomBody): Promise<ChatRoom> {
    return (await this.http.request<{ room: ChatRoom }>("POST", "/api/chat/rooms", { body })).room;
  }

  /** The direct-message room with a user: the same room every time, whoever opens it. */
  async dm(userId: string): Promise<ChatRoom> {
    return (await this.http.request<{ room: ChatRoom }>("POST", "/api/chat/dm", { body: { userId } })).room;
  }

  /** Joins a public room. */
  async join(roomId: string): Promise<ChatRoom> {
    return (await this.http.request<{ room: ChatRoom }>("POST", `${room(roomId)}/join`)).room;
  }

  /** One page of history (see HistoryQuery for the two directions). */
  messages(roomId: string, query: HistoryQuery = {}): Promise<Page<ChatMessage>> {
    return this.http.request<Page<ChatMessage>>("GET", `${room(roomId)}/messages`, { query: { ...query } });
  }

  /** Sends a message over HTTP; the same `clientId` twice stores one message. */
  async send(roomId: string, body: { text: string; clientId?: string }): Promise<ChatMessage> {
    const reply = await this.http.request<{ message: ChatMessage }>("POST", `${room(roomId)}/messages`, {
      body,
    });
    return reply.message;
  }

  /** The room's members with their presence. */
  users(roomId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<RoomMember>> {
    return this.http.request<Page<RoomMember>>("GET", `${room(roomId)}/users`, { query: { ...query } });
  }

  /** Shows or clears my typing indicator in a room. */
  async typing(roomId: string, typing: boolean): Promise<TypingEvent> {
    const userId = await this.currentUserId();
    return this.http.request<TypingEvent>(
      "PUT",
      `${room(roomId)}/users/${encodeURIComponent(userId)}/typing`,
      {
        body: { typing },
      },
    );
  }

  /** Marks the room read up to a message (or its latest message). */
  read(roomId: string, messageId?: string): Promise<RoomReadReply> {
    return this.http.request<RoomReadReply>("POST", `${room(roomId)}/read`, {
      body: messageId ? { messageId } : {},
    });
  }
}
