import { z } from "zod";

export const webhookParamsSchema = z.object({ provider: z.string().min(1).max(32) });

/** How a webhook was applied: `ignored` for event types Softchat does not act on. */
export const WEBHOOK_OUTCOMES = ["settled", "already_settled", "unknown", "ignored"] as const;

/** The reply to a provider's webhook; any 200 tells the provider to stop retrying. */
export const webhookReceiptSchema = z.object({
  received: z.literal(true),
  /** True when this event id was processed before: nothing changed. */
  duplicate: z.boolean(),
  outcome: z.enum(WEBHOOK_OUTCOMES).nullable(),
});
export type WebhookReceipt = z.infer<typeof webhookReceiptSchema>;
