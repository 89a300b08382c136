-- Payment provider webhooks, one row per provider event id: a replayed event finds its row and changes
-- nothing. processed_at stays NULL while the event is being applied (or if applying it failed), so the
-- provider's retry applies it again; settlement itself is idempotent.
CREATE TABLE webhook_events (
  provider TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  provider_ref TEXT,
  result TEXT,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  processed_at TIMESTAMPTZ,
  PRIMARY KEY (provider, event_id)
);
