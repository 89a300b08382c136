import { clientEventSchemas } from "@softchat/contracts";
import { presenceAudiencesOf } from "../chat/index.js";
import type { SoftchatModule } from "../index.js";
import { registerPresenceRoutes } from "./routes.js";
import { PresenceTracker } from "./service.js";

export { getPresence, getPresences } from "./service.js";

/** Online / away / offline from socket connections, told to the people who share a room with the user. */
export const presenceModule: SoftchatModule = {
  name: "presence",
  register(app, ctx) {
    const tracker = new PresenceTracker(ctx, (userIds) => presenceAudiencesOf(ctx, userIds));
    ctx.realtime.onConnect((socket) => tracker.connected(socket.data.userId));
    ctx.realtime.onDisconnect((socket) => tracker.disconnected(socket.data.userId));
    ctx.realtime.handle("update_presence", clientEventSchemas.update_presence, (socket, { status }) =>
      tracker.setStatus(socket.data.userId, status),
    );
    registerPresenceRoutes(app, ctx);
    app.addHook("onReady", async () => tracker.startSweeper());
    ctx.onShutdown(() => tracker.stop());
  },
};
