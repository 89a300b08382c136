import {
  adminUserPatchSchema,
  type DemoAccount,
  loginBodySchema,
  metaSchema,
  refreshBodySchema,
  registerBodySchema,
  sessionSchema,
  tokenPairSchema,
  userSchema,
  uuidSchema,
} from "@softchat/contracts";
import { z } from "zod";
import { auditActorOf } from "../../platform/audit/index.js";
import { actorOf, assertAdmin, authenticate } from "../../platform/auth/guard.js";
import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import { rateLimitPreHandler } from "../../platform/ratelimit/index.js";
import { currentUser, refresh, register, signOut, updateUserByAdmin } from "./service.js";
import { signInGuarded } from "./sign-in-guard.js";

const userReply = z.object({ user: userSchema });

/** `/api/auth/*`, the admin user patch and `/api/meta`. `demoUsers` is read per request (set once seeded). */
export function registerAuthRoutes(app: App, ctx: AppContext, demoUsers: () => DemoAccount[]): void {
  // Counted before the body is read, so malformed attempts spend the allowance too.
  const authPerIp = rateLimitPreHandler(ctx, "auth", (request) => request.ip);
  const signedIn = authenticate(ctx.tokens);
  const tags = ["auth"];
  // Public routes: no bearer token in the OpenAPI document.
  const security: [] = [];

  app.post(
    "/api/auth/register",
    {
      schema: { tags, security, body: registerBodySchema, response: { 201: sessionSchema } },
      onRequest: authPerIp,
    },
    async (request, reply) => reply.status(201).send(await register(ctx, request.body)),
  );

  app.post(
    "/api/auth/login",
    {
      schema: { tags, security, body: loginBodySchema, response: { 200: sessionSchema } },
      onRequest: authPerIp,
    },
    async (request, reply) => signInGuarded(ctx, reply, request.body),
  );

  app.post(
    "/api/auth/refresh",
    {
      schema: { tags, security, body: refreshBodySchema, response: { 200: tokenPairSchema } },
      onRequest: authPerIp,
    },
    async (request) => {
      const pair = await refresh(ctx, request.body.refreshToken);
      // Using a valid refresh token guesses nothing, and the web app refreshes on every reload: give the
      // point back so reloading never locks a user out. Refused refreshes keep counting.
      await ctx.rateLimits.auth.refund(request.ip);
      return pair;
    },
  );

  app.post(
    "/api/auth/logout",
    { schema: { tags, security, body: refreshBodySchema } },
    async (request, reply) => {
      await signOut(ctx, request.body.refreshToken);
      return reply.status(204).send();
    },
  );

  app.get(
    "/api/auth/me",
    { schema: { tags, response: { 200: userReply } }, onRequest: signedIn },
    async (request) => ({ user: await currentUser(ctx, actorOf(request)) }),
  );

  app.patch(
    "/api/admin/users/:userId",
    {
      schema: {
        tags: ["admin"],
        params: z.object({ userId: uuidSchema }),
        body: adminUserPatchSchema,
        response: { 200: userReply },
      },
      onRequest: signedIn,
      // Authorized before the body is validated, so a non-admin learns nothing about the route's input.
      preValidation: async (request) => assertAdmin(actorOf(request)),
    },
    async (request) => ({
      user: await updateUserByAdmin(ctx, auditActorOf(request), request.params.userId, request.body),
    }),
  );

  app.get("/api/meta", { schema: { tags: ["meta"], security, response: { 200: metaSchema } } }, async () => ({
    mode: ctx.config.mode,
    demoUsers: demoUsers(),
  }));
}
