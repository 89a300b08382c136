import { clientEventSchemas } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import type { SoftchatSocket } from "../../platform/realtime/index.js";
import * as chat from "./service.js";
import type { TypingIndicators } from "./typing.js";

const actorOf = (socket: SoftchatSocket) => ({ userId: socket.data.userId, role: socket.data.role });

/** Chat's socket events: the same service calls as the REST routes, answered through acknowledgements. */
export function registerChatSocketHandlers(ctx: AppContext, typing: TypingIndicators): void {
  const { realtime } = ctx;

  realtime.handle("join_room", clientEventSchemas.join_room, async (socket, { roomId }) => {
    const room = await chat.joinRoom(ctx, actorOf(socket), roomId);
    // The membership event joins every device; this one joins at once so it sees the very next message.
    await socket.join(`room:${roomId}`);
    return { room };
  });

  realtime.handle("leave_room", clientEventSchemas.leave_room, async (socket, { roomId }) => {
    await chat.leaveRoom(ctx, actorOf(socket), roomId);
    return { roomId };
  });

  realtime.handle("send_message", clientEventSchemas.send_message, async (socket, payload) => {
    const message = await chat.sendMessage(ctx, actorOf(socket), payload.roomId, payload);
    return { message };
  });

  realtime.handle("start_typing", clientEventSchemas.start_typing, (socket, { roomId }) =>
    chat.setTyping(ctx, typing, actorOf(socket), roomId, true),
  );

  realtime.handle("stop_typing", clientEventSchemas.stop_typing, (socket, { roomId }) =>
    chat.setTyping(ctx, typing, actorOf(socket), roomId, false),
  );

  realtime.handle("mark_room_read", clientEventSchemas.mark_room_read, (socket, { roomId, messageId }) =>
    chat.markRoomRead(ctx, actorOf(socket), roomId, messageId),
  );

  // Every device of a member is in each of the member's rooms from the moment it connects. A recovered
  // session brings back its old rooms: drop those the user has left while away.
  realtime.onConnect(async (socket) => {
    const roomIds = new Set((await chat.roomIdsOf(ctx, socket.data.userId)).map((id) => `room:${id}`));
    for (const room of socket.rooms) {
      if (room.startsWith("room:") && !roomIds.has(room)) await socket.leave(room);
    }
    await socket.join([...roomIds]);
  });

  realtime.onDisconnect(async (socket) => {
    if ((await realtime.connectionCount(socket.data.userId)) === 0) typing.stopAllOf(socket.data.userId);
  });
}
