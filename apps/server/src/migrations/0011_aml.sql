-- AML monitoring. aml_events keeps the facts the rules need, copied from the wallet's outbox events
-- (AML never reads wallet tables); one row per wallet transaction, so a redelivered event adds nothing.
CREATE TABLE aml_events (
  id BIGSERIAL PRIMARY KEY,
  user_id UUID NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('deposit', 'transfer', 'withdrawal')),
  transaction_id TEXT NOT NULL,
  asset TEXT NOT NULL,
  -- As the wallet reported it; the rules work on usd_cents.
  amount NUMERIC NOT NULL,
  usd_cents NUMERIC(39, 0) NOT NULL,
  limit_usd_cents NUMERIC(39, 0),
  recipient_id UUID,
  at TIMESTAMPTZ NOT NULL,
  UNIQUE (kind, transaction_id)
);
CREATE INDEX aml_events_user_at_idx ON aml_events (user_id, at);

-- The admin review queue. A rule raises at most one flag per trigger_key: the triggering transaction, or
-- for rapid in-out the deposit that was moved out again. transaction_id is the transaction that tripped it.
CREATE TABLE aml_flags (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  trigger_key TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  triggered_at TIMESTAMPTZ NOT NULL,
  details JSONB NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_by UUID,
  resolved_at TIMESTAMPTZ,
  note TEXT,
  UNIQUE (user_id, rule, trigger_key)
);
CREATE INDEX aml_flags_queue_idx ON aml_flags (created_at DESC, id DESC);
CREATE INDEX aml_flags_status_idx ON aml_flags (status, created_at DESC, id DESC);
CREATE INDEX aml_flags_user_rule_idx ON aml_flags (user_id, rule, triggered_at);
