-- The double-entry ledger. Accounts keep four running totals (posted and pending, debits and credits);
-- transfers are immutable rows, each debiting one account and crediting another of the same asset by the
-- same amount, so every asset sums to zero over all accounts at all times.

CREATE TABLE ledger_assets (
  code TEXT PRIMARY KEY,
  -- Amounts are integers of 10^-scale units: USD 2 (cents), BTC 8 (satoshis), ETH 18 (wei).
  scale SMALLINT NOT NULL CHECK (scale BETWEEN 0 AND 18)
);
INSERT INTO ledger_assets (code, scale) VALUES
  ('USD', 2), ('EUR', 2), ('USDT', 6), ('BTC', 8), ('ETH', 18), ('SOFT', 6);

-- One account per user per asset, and system accounts (payment clearing, fees, rewards, escrow, exchange
-- settlement) split into shards so that a hot system account does not serialize every transfer through one
-- row lock; a system account's balance is the sum of its shards.
CREATE TABLE ledger_accounts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- 'u:<userId>:<asset>' or 's:<system>:<asset>:<shard>': what the ledger looks accounts up by.
  key TEXT NOT NULL UNIQUE,
  user_id UUID REFERENCES users(id),
  system_name TEXT,
  shard SMALLINT NOT NULL DEFAULT 0,
  asset TEXT NOT NULL REFERENCES ledger_assets(code),
  debits_posted NUMERIC(39,0) NOT NULL DEFAULT 0,
  credits_posted NUMERIC(39,0) NOT NULL DEFAULT 0,
  debits_pending NUMERIC(39,0) NOT NULL DEFAULT 0,
  credits_pending NUMERIC(39,0) NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (id, asset),
  CONSTRAINT ledger_accounts_one_owner CHECK ((user_id IS NULL) <> (system_name IS NULL)),
  CONSTRAINT ledger_accounts_totals_not_negative
    CHECK (debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0),
  -- The rule the whole wallet rests on: a user can never spend more than was credited, held funds included.
  CONSTRAINT ledger_user_account_not_negative
    CHECK (user_id IS NULL OR credits_posted - debits_posted - debits_pending >= 0)
)
-- Every transfer rewrites two rows here: free space on each page keeps those updates HOT (no index writes).
WITH (fillfactor = 70);
CREATE INDEX ledger_accounts_user_idx ON ledger_accounts (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE ledger_transfers (
  id UUID PRIMARY KEY,
  -- Order of commit-time insertion, for history pages.
  seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- The operation (a set of linked transfers committed together) this transfer belongs to.
  operation_id UUID NOT NULL,
  debit_account_id BIGINT NOT NULL,
  credit_account_id BIGINT NOT NULL,
  asset TEXT NOT NULL,
  amount NUMERIC(39,0) NOT NULL CHECK (amount > 0),
  kind TEXT NOT NULL,
  -- posted: final at once. pending: a hold, later resolved by exactly one post or void transfer.
  flags TEXT NOT NULL CHECK (flags IN ('posted', 'pending', 'post', 'void')),
  pending_id UUID REFERENCES ledger_transfers(id),
  expires_at TIMESTAMPTZ,
  metadata JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((flags IN ('post', 'void')) = (pending_id IS NOT NULL))
);
-- A hold is posted or voided once, never both, never twice.
CREATE UNIQUE INDEX ledger_transfers_resolves_once ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX ledger_transfers_debit_idx ON ledger_transfers (debit_account_id, seq DESC);
CREATE INDEX ledger_transfers_credit_idx ON ledger_transfers (credit_account_id, seq DESC);
CREATE INDEX ledger_transfers_operation_idx ON ledger_transfers (operation_id);

CREATE FUNCTION ledger_transfers_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger transfers are immutable';
END;
$$;
CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_transfers_immutable();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_transfers_immutable();

-- Both accounts of a transfer exist and hold the transfer's asset. Checked once per INSERT statement over
-- all its rows (a batch writes hundreds at once) instead of a foreign-key lookup per row and column.
CREATE FUNCTION ledger_transfers_check_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM new_transfers t
     WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = t.debit_account_id AND a.asset = t.asset)
        OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = t.credit_account_id AND a.asset = t.asset)
  ) THEN
    RAISE EXCEPTION 'a ledger transfer names a missing account or one of another asset';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER ledger_transfers_accounts AFTER INSERT ON ledger_transfers
  REFERENCING NEW TABLE AS new_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_transfers_check_accounts();

-- An account is never deleted, and never changes owner or asset: transfers keep pointing at what they moved.
CREATE FUNCTION ledger_accounts_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger accounts are never deleted and never change owner or asset';
END;
$$;
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_accounts_fixed();
CREATE TRIGGER ledger_accounts_no_rekey BEFORE UPDATE OF id, key, user_id, system_name, shard, asset
  ON ledger_accounts FOR EACH ROW EXECUTE FUNCTION ledger_accounts_fixed();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_accounts_fixed();

-- The state of each hold (pending transfer): the transfer row never changes, this row says how it ended.
CREATE TABLE ledger_holds (
  transfer_id UUID PRIMARY KEY REFERENCES ledger_transfers(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'posted', 'voided', 'expired')),
  posted_amount NUMERIC(39,0),
  expires_at TIMESTAMPTZ,
  resolved_at TIMESTAMPTZ
);
CREATE INDEX ledger_holds_expiry_idx ON ledger_holds (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;

-- System accounts exist from the start: 16 shards per system account and asset.
INSERT INTO ledger_accounts (key, system_name, shard, asset)
SELECT 's:' || s.name || ':' || a.code || ':' || g.shard, s.name, g.shard, a.code
  FROM (VALUES ('fees'), ('rewards_pool'), ('escrow'), ('exchange_settlement'),
               ('clearing:sandbox'), ('clearing:stripe'), ('clearing:coinbase')) AS s(name)
 CROSS JOIN ledger_assets a
 CROSS JOIN generate_series(0, 15) AS g(shard)
 ORDER BY s.name, a.code, g.shard;
