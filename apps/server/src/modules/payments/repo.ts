import type { Queryable } from "../../platform/db/index.js";

/** Where a webhook event stands: never seen, seen but not finished applying, or applied. */
export type WebhookEventState = "new" | "in_progress" | "processed";

/** Records the event id on first sight; says what an earlier delivery of it already did. */
export async function claimWebhookEvent(
  q: Queryable,
  e: { provider: string; eventId: string; type: string; providerRef: string | null },
): Promise<WebhookEventState> {
  const inserted = await q.query(
    `INSERT INTO webhook_events (provider, event_id, type, provider_ref) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
    [e.provider, e.eventId, e.type, e.providerRef],
  );
  if (inserted.rowCount > 0) return "new";
  const { rows } = await q.query<{ processed_at: Date | null }>(
    "SELECT processed_at FROM webhook_events WHERE provider = $1 AND event_id = $2",
    [e.provider, e.eventId],
  );
  return rows[0]?.processed_at ? "processed" : "in_progress";
}

/** Marks the event applied, with what applying it did. */
export async function markWebhookProcessed(
  q: Queryable,
  provider: string,
  eventId: string,
  result: string,
): Promise<void> {
  await q.query(
    `UPDATE webhook_events SET processed_at = now(), result = $3
      WHERE provider = $1 AND event_id = $2 AND processed_at IS NULL`,
    [provider, eventId, result],
  );
}

/** Forgets an event whose application failed, so the provider's retry is applied rather than skipped. */
export async function releaseWebhookEvent(q: Queryable, provider: string, eventId: string): Promise<void> {
  await q.query("DELETE FROM webhook_events WHERE provider = $1 AND event_id = $2 AND processed_at IS NULL", [
    provider,
    eventId,
  ]);
}
