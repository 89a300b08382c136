import type { IncomingHttpHeaders } from "node:http";
import type { WebhookReceipt } from "@softchat/contracts";
import type { AuditActor } from "../../platform/audit/index.js";
import type { AppContext } from "../../platform/context.js";
import { AppError } from "../../platform/http/errors.js";
import {
  enabledProviders,
  PROVIDER_NAMES,
  type ProviderName,
  parseProviderWebhook,
} from "../wallet/providers/index.js";
import { settleDeposit } from "../wallet/settlement.js";
import { claimWebhookEvent, markWebhookProcessed, releaseWebhookEvent } from "./repo.js";

function providerNamed(ctx: AppContext, name: string): ProviderName {
  const provider = PROVIDER_NAMES.find((p) => p === name);
  if (!provider) throw new AppError("not_found", `No payment provider "${name}"`);
  if (provider === "sandbox" || !enabledProviders(ctx).includes(provider)) {
    throw new AppError("validation_failed", `The payment provider "${name}" sends no webhooks here`);
  }
  return provider;
}

/**
 * Applies a provider's webhook once: verifies its signature over the raw body, skips an event id seen
 * before, and settles the payment it names through the wallet. A webhook for an unknown or already settled
 * payment changes nothing. A failure while applying forgets the event id, so the provider's retry applies it.
 */
export async function receiveWebhook(
  ctx: AppContext,
  providerParam: string,
  rawBody: Buffer,
  headers: IncomingHttpHeaders,
  actor: AuditActor,
): Promise<WebhookReceipt> {
  const provider = providerNamed(ctx, providerParam);
  const event = parseProviderWebhook(ctx.config, provider, rawBody, headers);
  const key = { provider, eventId: event.eventId };
  const state = await claimWebhookEvent(ctx.db, {
    ...key,
    type: event.type,
    providerRef: event.settles?.providerRef ?? null,
  });
  if (state === "processed") return { received: true, duplicate: true, outcome: null };
  try {
    const outcome = event.settles
      ? await settleDeposit(ctx, {
          provider,
          providerRef: event.settles.providerRef,
          outcome: event.settles.outcome,
          actor,
        })
      : "ignored";
    await markWebhookProcessed(ctx.db, provider, event.eventId, outcome);
    ctx.logger.info(
      { provider, eventId: event.eventId, type: event.type, outcome },
      "payment webhook applied",
    );
    return { received: true, duplicate: false, outcome };
  } catch (err) {
    await releaseWebhookEvent(ctx.db, provider, event.eventId).catch(() => undefined);
    throw err;
  }
}
