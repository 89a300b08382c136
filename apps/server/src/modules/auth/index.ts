import type { DemoAccount } from "@softchat/contracts";
import { installRateLimits } from "../../platform/ratelimit/index.js";
import type { SoftchatModule } from "../index.js";
import { registerAuthRoutes } from "./routes.js";
import { bootstrapUsers, demoAccounts } from "./seed.js";

export { DEMO_PASSWORD, DEMO_SEEDED_TOPIC, type SeededUser, seedDemo } from "./seed.js";
export { USER_REGISTERED_TOPIC, USER_UPDATED_TOPIC, updateUserByAdmin } from "./service.js";

/**
 * Accounts, sessions and the request rate limits. Registered first: its rate-limit hook then covers every
 * route, and other modules may rely on users existing.
 */
export const authModule: SoftchatModule = {
  name: "auth",
  register(app, ctx) {
    installRateLimits(app, ctx);
    let demoUsers: DemoAccount[] = [];
    // Seeding waits for onReady so that every module's outbox handlers (e.g. for DEMO_SEEDED_TOPIC) exist.
    app.addHook("onReady", async () => {
      await bootstrapUsers(ctx);
      demoUsers = await demoAccounts(ctx);
    });
    registerAuthRoutes(app, ctx, () => demoUsers);
  },
};
