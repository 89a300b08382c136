-- Append-only audit trail of money operations and admin actions. Rows are written in the transaction of
-- the action; a single sealer later gives each row its place (seq) in a hash chain over all rows.
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor_id UUID,
  actor_role TEXT,
  ip TEXT,
  request_id TEXT,
  action TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id TEXT,
  before JSONB,
  after JSONB,
  seq BIGINT UNIQUE,
  prev_hash TEXT,
  hash TEXT
);
CREATE INDEX audit_log_unsealed_idx ON audit_log (id) WHERE seq IS NULL;
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id);
