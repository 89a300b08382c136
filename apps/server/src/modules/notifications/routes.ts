import {
  notificationListQuerySchema,
  notificationPageSchema,
  notificationParamsSchema,
  notificationReplySchema,
  notificationUserParamsSchema,
  sendNotificationBodySchema,
  sendNotificationReplySchema,
  unreadCountSchema,
} from "@softchat/contracts";
import { auditActorOf } from "../../platform/audit/index.js";
import { actorOf, assertAdmin, authenticate } from "../../platform/auth/guard.js";
import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import * as notifications from "./service.js";

/** `/api/notifications/*`: a user's own notifications (admins: anyone's) and the admin send. */
export function registerNotificationRoutes(app: App, ctx: AppContext): void {
  const onRequest = authenticate(ctx.tokens);
  const tags = ["notifications"];

  app.get(
    "/api/notifications/:userId",
    {
      schema: {
        tags,
        params: notificationUserParamsSchema,
        querystring: notificationListQuerySchema,
        response: { 200: notificationPageSchema },
      },
      onRequest,
    },
    async (request) =>
      notifications.listNotifications(ctx, actorOf(request), request.params.userId, request.query),
  );

  app.get(
    "/api/notifications/:userId/unread-count",
    {
      schema: { tags, params: notificationUserParamsSchema, response: { 200: unreadCountSchema } },
      onRequest,
    },
    async (request) => ({
      count: await notifications.countUnread(ctx, actorOf(request), request.params.userId),
    }),
  );

  app.put(
    "/api/notifications/:notificationId/read",
    {
      schema: { tags, params: notificationParamsSchema, response: { 200: notificationReplySchema } },
      onRequest,
    },
    async (request) => ({
      notification: await notifications.markNotificationRead(
        ctx,
        actorOf(request),
        request.params.notificationId,
      ),
    }),
  );

  app.post(
    "/api/notifications/:userId/read-all",
    {
      schema: { tags, params: notificationUserParamsSchema, response: { 200: unreadCountSchema } },
      onRequest,
    },
    async (request) => {
      await notifications.markAllRead(ctx, actorOf(request), request.params.userId);
      return { count: 0 };
    },
  );

  app.post(
    "/api/notifications/send",
    {
      schema: {
        tags: [...tags, "admin"],
        body: sendNotificationBodySchema,
        response: { 201: sendNotificationReplySchema },
      },
      onRequest,
      // Authorized before the body is validated, so a non-admin learns nothing about the route's input.
      preValidation: async (request) => assertAdmin(actorOf(request)),
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ sent: await notifications.sendByAdmin(ctx, auditActorOf(request), request.body) }),
  );
}
