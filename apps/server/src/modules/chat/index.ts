import type { SoftchatModule } from "../index.js";
import { applyMembershipChange, CHAT_MEMBERSHIP_TOPIC, isMembershipChange } from "./membership.js";
import { registerChatRoutes } from "./routes.js";
import { stopSendingMessages } from "./service.js";
import { registerChatSocketHandlers } from "./socket.js";
import { TypingIndicators } from "./typing.js";

export { presenceAudiencesOf, roomIdsOf, shareARoom } from "./service.js";

/** Rooms, DMs, messages, read positions and typing indicators, over REST and sockets. */
export const chatModule: SoftchatModule = {
  name: "chat",
  register(app, ctx) {
    const typing = new TypingIndicators(ctx.realtime, ctx.config.CHAT_TYPING_TIMEOUT_MS);
    ctx.outbox.on(CHAT_MEMBERSHIP_TOPIC, (event) => {
      const change = event.payload;
      if (!isMembershipChange(change)) return;
      applyMembershipChange(ctx.realtime, change);
      if (change.change === "left") for (const id of change.userIds) typing.stopIfActive(change.roomId, id);
    });
    registerChatRoutes(app, ctx, typing);
    registerChatSocketHandlers(ctx, typing);
    ctx.onShutdown(() => typing.close());
    // Registered after the typing hook, so it runs first on shutdown (hooks run in reverse): queued sends
    // are written while the outbox and the database are still open.
    ctx.onShutdown(() => stopSendingMessages(ctx));
  },
};
