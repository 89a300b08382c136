import { randomUUID } from "node:crypto";
import type { Asset, Deposit, DepositBody } from "@softchat/contracts";
import { type AuditActor, recordAudit, SYSTEM_ACTOR } from "../../platform/audit/index.js";
import { assertSelfOrAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import type { AppContext } from "../../platform/context.js";
import { AppError } from "../../platform/http/errors.js";
import type { IdempotencyClaim, StoredResponse } from "../../platform/idempotency/index.js";
import { getUserState } from "../auth/user-directory.js";
import { parseAmount, parseAsset } from "./assets.js";
import { presentDeposit } from "./presenters.js";
import { getProvider } from "./providers/index.js";
import { finishDeposit, insertDeposit, recordDepositStart } from "./repo.js";
import { settleDepositIn } from "./settlement.js";

/**
 * Starts a deposit: the row is recorded first, the provider is called outside any transaction (a slow
 * provider holds no locks), then what it said is recorded together with the idempotent reply; a sandbox
 * deposit completes at once and credits the wallet in that same transaction.
 */
export async function requestDeposit(
  ctx: AppContext,
  actor: Actor,
  audit: AuditActor,
  userId: string,
  body: DepositBody,
  claim: IdempotencyClaim,
): Promise<StoredResponse> {
  assertSelfOrAdmin(actor, userId);
  const asset = parseAsset(body.asset);
  const amount = parseAmount(asset, body.amount);
  const provider = getProvider(ctx, body.provider);
  if (!(await getUserState(ctx.db, userId))) throw new AppError("not_found", "User not found");
  const row = await insertDeposit(ctx.db, {
    id: randomUUID(),
    userId,
    asset,
    amount,
    provider: body.provider,
  });
  let start: Awaited<ReturnType<typeof provider.startDeposit>>;
  try {
    start = await provider.startDeposit({ depositId: row.id, userId, asset, amount });
  } catch (err) {
    await finishDeposit(ctx.db, row.id, "failed", null);
    throw err;
  }
  return ctx.db.transaction(async (tx) => {
    const started = await recordDepositStart(tx, row.id, start);
    if (!started) throw new Error(`deposit ${row.id} vanished`);
    await recordAudit(tx, {
      ...audit,
      action: "wallet.deposit.started",
      subjectType: "deposit",
      subjectId: row.id,
      after: presentDeposit(started),
    });
    const done =
      start.status === "completed" ? await settleDepositIn(ctx, tx, started, "succeeded", audit) : started;
    const response = { status: 201, body: { deposit: presentDeposit(done) } };
    await claim.complete(tx, response);
    return response;
  });
}

/**
 * Credits a user as a completed sandbox deposit, through the ledger like any deposit: for demo seeding
 * and tests. Returns the deposit.
 */
export async function creditForDemo(
  ctx: Pick<AppContext, "db" | "outbox">,
  userId: string,
  asset: Asset,
  amount: bigint,
  id: string = randomUUID(),
): Promise<Deposit> {
  const checked = parseAsset(asset);
  if (amount <= 0n) throw new AppError("invalid_amount", "A deposit must be positive");
  const row = await insertDeposit(ctx.db, { id, userId, asset: checked, amount, provider: "sandbox" });
  return ctx.db.transaction(async (tx) => {
    const started = await recordDepositStart(tx, row.id, { providerRef: `sbx_demo_${id}` });
    if (!started) throw new Error(`deposit ${id} vanished`);
    return presentDeposit(await settleDepositIn(ctx, tx, started, "succeeded", SYSTEM_ACTOR));
  });
}
