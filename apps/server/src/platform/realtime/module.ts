import type { SoftchatModule } from "../../modules/index.js";
import { installOutboxFanout } from "./fanout.js";

/**
 * Puts the Socket.IO gateway on the HTTP server and delivers committed socket events to it. Registered
 * right after auth, so every later module can add socket handlers and connection hooks to `ctx.realtime`.
 */
export const realtimeModule: SoftchatModule = {
  name: "realtime",
  register(app, ctx) {
    installOutboxFanout(ctx.outbox, ctx.realtime);
    ctx.realtime.attach(app.server, ctx);
    // Open WebSockets would keep the HTTP server from closing: hand them back to the clients first, with
    // a reason they treat as a reconnectable drop.
    app.addHook("preClose", async () => ctx.realtime.disconnectAll());
    ctx.onShutdown(() => ctx.realtime.close());
  },
};
