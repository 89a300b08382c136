import type {
  Ack,
  ClientEventName,
  ClientEventPayload,
  ClientEventReply,
  ClientToServerEvents,
  ServerEventName,
  ServerEventPayload,
  ServerToClientEvents,
} from "@softchat/contracts";
import { io, type Socket } from "socket.io-client";
import { eventually } from "../harness.js";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io-client connected to `url`, recording every server event it receives. */
export interface TestSocket {
  socket: ClientSocket;
  /** Every event received so far, in order. */
  received: Array<{ event: string; data: unknown }>;
  /** The payloads of one event received so far. */
  events<E extends ServerEventName>(event: E): Array<ServerEventPayload<E>>;
  /** Polls until an event matching `match` has arrived, and returns it. */
  waitFor<E extends ServerEventName>(
    event: E,
    match?: (data: ServerEventPayload<E>) => boolean,
    timeoutMs?: number,
  ): Promise<ServerEventPayload<E>>;
  /** Emits a client event and resolves with its acknowledgement. */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientEventPayload<E>,
  ): Promise<Ack<ClientEventReply<E>>>;
  /** Emits anything (malformed payloads, unknown events) and resolves with the acknowledgement. */
  raw(event: string, ...args: unknown[]): Promise<Ack<unknown>>;
  close(): void;
}

export interface ConnectOptions {
  /** Let socket.io-client reconnect by itself (recovery tests). Default false. */
  reconnection?: boolean;
  transports?: Array<"websocket" | "polling">;
}

/** Connects and waits for `connect`; rejects with the `connect_error` when the server refuses. */
export async function connectSocket(
  url: string,
  token: string | undefined,
  options: ConnectOptions = {},
): Promise<TestSocket> {
  const socket: ClientSocket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: options.transports ?? ["websocket"],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
    forceNew: true,
  });
  const received: Array<{ event: string; data: unknown }> = [];
  socket.onAny((event: string, data: unknown) => received.push({ event, data }));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
  const events = <E extends ServerEventName>(event: E) =>
    received.filter((r) => r.event === event).map((r) => r.data as ServerEventPayload<E>);
  return {
    socket,
    received,
    events,
    waitFor: (event, match = () => true, timeoutMs = 5000) =>
      eventually(() => {
        const found = events(event).find(match);
        if (found === undefined) throw new Error(`no ${event} event matching yet`);
        return found;
      }, timeoutMs),
    request: (event, payload) =>
      new Promise((resolve) => {
        const emit = socket.emit as (ev: string, p: unknown, ack: (res: unknown) => void) => void;
        emit.call(socket, event, payload, (res) => resolve(res as Ack<ClientEventReply<typeof event>>));
      }),
    raw: (event, ...args) =>
      new Promise((resolve) => {
        const emit = socket.emit as (ev: string, ...rest: unknown[]) => void;
        emit.call(socket, event, ...args, (res: Ack<unknown>) => resolve(res));
      }),
    close: () => socket.close(),
  };
}

/** Resolves with the refusal a connection attempt gets (`connect_error`), or fails if it connects. */
export async function refusalOf(url: string, token: string | undefined): Promise<Error & { data?: unknown }> {
  try {
    const s = await connectSocket(url, token);
    s.close();
  } catch (err) {
    return err as Error & { data?: unknown };
  }
  throw new Error("the connection was accepted");
}

/** The data of a successful acknowledgement; fails the test with the error otherwise. */
export function okData<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}
