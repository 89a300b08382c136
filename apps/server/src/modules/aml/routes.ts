import {
  amlFlagParamsSchema,
  amlFlagReplySchema,
  amlFlagSchema,
  amlFlagsQuerySchema,
  amlResolveBodySchema,
  pageSchema,
  userSchema,
  uuidSchema,
} from "@softchat/contracts";
import { z } from "zod";
import { auditActorOf } from "../../platform/audit/index.js";
import { actorOf, authenticate } from "../../platform/auth/guard.js";
import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import { freezeFlaggedUser, listAmlFlags, resolveAmlFlag } from "./service.js";

/** The admin review queue: list, resolve or dismiss, and freeze the flagged user. Admins only. */
export function registerAmlRoutes(app: App, ctx: AppContext): void {
  const signedIn = authenticate(ctx.tokens);
  const tags = ["admin", "aml"];

  app.get(
    "/api/admin/aml/flags",
    {
      schema: {
        tags,
        querystring: amlFlagsQuerySchema.extend({ userId: uuidSchema.optional() }),
        response: { 200: pageSchema(amlFlagSchema) },
      },
      onRequest: signedIn,
    },
    async (request) => listAmlFlags(ctx, actorOf(request), auditActorOf(request), request.query),
  );

  app.post(
    "/api/admin/aml/flags/:flagId/resolve",
    {
      schema: {
        tags,
        params: amlFlagParamsSchema,
        body: amlResolveBodySchema,
        response: { 200: amlFlagReplySchema },
      },
      onRequest: signedIn,
    },
    async (request) => ({
      flag: await resolveAmlFlag(
        ctx,
        actorOf(request),
        auditActorOf(request),
        request.params.flagId,
        request.body,
      ),
    }),
  );

  app.post(
    "/api/admin/aml/flags/:flagId/freeze",
    {
      schema: {
        tags,
        params: amlFlagParamsSchema,
        response: { 200: z.object({ flag: amlFlagSchema, user: userSchema }) },
      },
      onRequest: signedIn,
    },
    async (request) => freezeFlaggedUser(ctx, actorOf(request), auditActorOf(request), request.params.flagId),
  );
}
