import { createHash } from "node:crypto";
import type { Asset } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import { DEMO_SEEDED_TOPIC } from "../auth/seed.js";
import { creditForDemo } from "./deposits.js";

/**
 * What each demo account starts with, so a first visit can transfer and trade at once (minor units). Each
 * deposit stays under the $10,000 AML large-transaction line, so seeding fills no review queue.
 */
const DEMO_BALANCES: ReadonlyArray<[Asset, bigint]> = [
  ["USD", 500_000n], // 5,000.00
  ["BTC", 10_000_000n], // 0.1
  ["ETH", 2n * 10n ** 18n], // 2
  ["SOFT", 10_000_000_000n], // 10,000
];

interface DemoSeeded {
  users: Array<{ id: string }>;
}

/**
 * Funds demo accounts through sandbox deposits when the auth module reports them seeded. Outbox delivery is
 * at least once, so each deposit has an id derived from (user, asset): a redelivery hits the same id and
 * credits nothing twice.
 */
export function fundDemoAccounts(ctx: AppContext): void {
  ctx.outbox.on(DEMO_SEEDED_TOPIC, async (event) => {
    const { users } = event.payload as DemoSeeded;
    for (const user of users) {
      for (const [asset, amount] of DEMO_BALANCES) {
        try {
          await creditForDemo(ctx, user.id, asset, amount, demoDepositId(user.id, asset));
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
    }
  });
}

function demoDepositId(userId: string, asset: string): string {
  const h = createHash("sha256").update(`demo-funding:${userId}:${asset}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "23505";
}
