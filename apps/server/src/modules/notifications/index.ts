import { clientEventSchemas } from "@softchat/contracts";
import type { SoftchatModule } from "../index.js";
import { registerNotificationRoutes } from "./routes.js";
import { markNotificationRead } from "./service.js";

export { type NotificationInput, notify, presentNotification } from "./service.js";

/** Stored notifications, delivered live with `new_notification` to every device of their user. */
export const notificationsModule: SoftchatModule = {
  name: "notifications",
  register(app, ctx) {
    registerNotificationRoutes(app, ctx);
    ctx.realtime.handle(
      "mark_notification_read",
      clientEventSchemas.mark_notification_read,
      async (socket, { notificationId }) => ({
        notification: await markNotificationRead(
          ctx,
          { userId: socket.data.userId, role: socket.data.role },
          notificationId,
        ),
      }),
    );
  },
};
