import { presenceParamsSchema, presenceSchema } from "@softchat/contracts";
import { actorOf, authenticate } from "../../platform/auth/guard.js";
import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import { AppError } from "../../platform/http/errors.js";
import { shareARoom } from "../chat/index.js";
import { getPresence } from "./service.js";

/** `GET /api/presence/:userId`: visible to the user, to admins and to those who share a room or DM with them. */
export function registerPresenceRoutes(app: App, ctx: AppContext): void {
  app.get(
    "/api/presence/:userId",
    {
      schema: {
        tags: ["presence"],
        description: "Presence of a user you share a room or DM with (or yourself; admins: anyone).",
        params: presenceParamsSchema,
        response: { 200: presenceSchema },
      },
      onRequest: authenticate(ctx.tokens),
    },
    async (request) => {
      const actor = actorOf(request);
      const { userId } = request.params;
      const visible =
        actor.userId === userId || actor.role === "admin" || (await shareARoom(ctx, actor.userId, userId));
      if (!visible)
        throw new AppError("forbidden", "You can see the presence of people you share a room with");
      return getPresence(ctx, userId);
    },
  );
}
