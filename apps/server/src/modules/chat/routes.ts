import {
  addMemberBodySchema,
  createDmBodySchema,
  createRoomBodySchema,
  markRoomReadBodySchema,
  messageHistoryQuerySchema,
  messagePageSchema,
  messageReplySchema,
  paginationQuerySchema,
  roomListSchema,
  roomMemberPageSchema,
  roomParamsSchema,
  roomReadReplySchema,
  roomReplySchema,
  roomUserParamsSchema,
  sendMessageBodySchema,
  typingBodySchema,
  typingReplySchema,
} from "@softchat/contracts";
import { z } from "zod";
import { actorOf, authenticate } from "../../platform/auth/guard.js";
import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import { AppError } from "../../platform/http/errors.js";
import * as chat from "./service.js";
import type { TypingIndicators } from "./typing.js";

const publicRoomPageSchema = z.object({
  items: z.array(roomReplySchema.shape.room),
  nextCursor: z.string().nullable(),
});

/** `/api/chat/*`: thin edges over the chat service. */
export function registerChatRoutes(app: App, ctx: AppContext, typing: TypingIndicators): void {
  const onRequest = authenticate(ctx.tokens);
  const tags = ["chat"];

  app.post(
    "/api/chat/rooms",
    { schema: { tags, body: createRoomBodySchema, response: { 201: roomReplySchema } }, onRequest },
    async (request, reply) =>
      reply.status(201).send({ room: await chat.createRoom(ctx, actorOf(request), request.body) }),
  );

  app.get(
    "/api/chat/rooms",
    { schema: { tags, response: { 200: roomListSchema } }, onRequest },
    async (request) => ({ items: await chat.listMyRooms(ctx, actorOf(request)) }),
  );

  app.get(
    "/api/chat/public-rooms",
    {
      schema: { tags, querystring: paginationQuerySchema, response: { 200: publicRoomPageSchema } },
      onRequest,
    },
    async (request) => chat.listPublicRooms(ctx, actorOf(request), request.query),
  );

  app.post(
    "/api/chat/dm",
    {
      schema: { tags, body: createDmBodySchema, response: { 200: roomReplySchema, 201: roomReplySchema } },
      onRequest,
    },
    async (request, reply) => {
      const { room, created } = await chat.openDm(ctx, actorOf(request), request.body.userId);
      return reply.status(created ? 201 : 200).send({ room });
    },
  );

  app.get(
    "/api/chat/rooms/:roomId",
    { schema: { tags, params: roomParamsSchema, response: { 200: roomReplySchema } }, onRequest },
    async (request) => ({ room: await chat.getRoom(ctx, actorOf(request), request.params.roomId) }),
  );

  app.post(
    "/api/chat/rooms/:roomId/join",
    { schema: { tags, params: roomParamsSchema, response: { 200: roomReplySchema } }, onRequest },
    async (request) => ({ room: await chat.joinRoom(ctx, actorOf(request), request.params.roomId) }),
  );

  app.post(
    "/api/chat/rooms/:roomId/leave",
    { schema: { tags, params: roomParamsSchema }, onRequest },
    async (request, reply) => {
      await chat.leaveRoom(ctx, actorOf(request), request.params.roomId);
      return reply.status(204).send();
    },
  );

  app.post(
    "/api/chat/rooms/:roomId/members",
    {
      schema: {
        tags,
        params: roomParamsSchema,
        body: addMemberBodySchema,
        response: { 200: roomReplySchema },
      },
      onRequest,
    },
    async (request) => ({
      room: await chat.addMember(ctx, actorOf(request), request.params.roomId, request.body.userId),
    }),
  );

  app.get(
    "/api/chat/rooms/:roomId/messages",
    {
      schema: {
        tags,
        params: roomParamsSchema,
        querystring: messageHistoryQuerySchema,
        response: { 200: messagePageSchema },
      },
      onRequest,
    },
    async (request) => chat.listMessages(ctx, actorOf(request), request.params.roomId, request.query),
  );

  app.post(
    "/api/chat/rooms/:roomId/messages",
    {
      schema: {
        tags,
        params: roomParamsSchema,
        body: sendMessageBodySchema,
        response: { 201: messageReplySchema },
      },
      onRequest,
    },
    async (request, reply) => {
      const message = await chat.sendMessage(ctx, actorOf(request), request.params.roomId, request.body);
      return reply.status(201).send({ message });
    },
  );

  app.post(
    "/api/chat/rooms/:roomId/read",
    {
      schema: {
        tags,
        params: roomParamsSchema,
        body: markRoomReadBodySchema.optional(),
        response: { 200: roomReadReplySchema },
      },
      onRequest,
    },
    async (request) =>
      chat.markRoomRead(ctx, actorOf(request), request.params.roomId, request.body?.messageId),
  );

  app.get(
    "/api/chat/rooms/:roomId/users",
    {
      schema: {
        tags,
        params: roomParamsSchema,
        querystring: paginationQuerySchema,
        response: { 200: roomMemberPageSchema },
      },
      onRequest,
    },
    async (request) => chat.listRoomUsers(ctx, actorOf(request), request.params.roomId, request.query),
  );

  app.put(
    "/api/chat/rooms/:roomId/users/:userId/typing",
    {
      schema: {
        tags,
        params: roomUserParamsSchema,
        body: typingBodySchema,
        response: { 200: typingReplySchema },
      },
      onRequest,
    },
    async (request) => {
      const actor = actorOf(request);
      if (request.params.userId !== actor.userId) {
        throw new AppError("forbidden", "You can only set your own typing indicator");
      }
      return chat.setTyping(ctx, typing, actor, request.params.roomId, request.body.typing);
    },
  );
}
