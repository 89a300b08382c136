import type { OutboxEvent } from "../../platform/outbox/index.js";
import type { SoftchatModule } from "../index.js";
import {
  depositFact,
  type MoneyFact,
  outflowFact,
  WALLET_DEPOSIT_TOPIC,
  WALLET_OUTFLOW_TOPIC,
} from "./events.js";
import { registerAmlRoutes } from "./routes.js";
import { recordMoneyFact } from "./service.js";

export { WALLET_DEPOSIT_TOPIC, WALLET_OUTFLOW_TOPIC } from "./events.js";
export { AML_THRESHOLDS } from "./rules.js";

/**
 * Transaction monitoring: the wallet's outflow and deposit events are kept and checked against the rules
 * after they commit; flags go to the admin review queue.
 */
export const amlModule: SoftchatModule = {
  name: "aml",
  register(app, ctx) {
    const handle = (read: (payload: unknown) => MoneyFact | null) => async (event: OutboxEvent) => {
      const fact = read(event.payload);
      // A malformed event will never become valid: log it instead of retrying it forever.
      if (!fact)
        return ctx.logger.error({ eventId: event.id, topic: event.topic }, "AML: malformed wallet event");
      await recordMoneyFact(ctx, fact);
    };
    ctx.outbox.on(WALLET_OUTFLOW_TOPIC, handle(outflowFact));
    ctx.outbox.on(WALLET_DEPOSIT_TOPIC, handle(depositFact));
    registerAmlRoutes(app, ctx);
  },
};
