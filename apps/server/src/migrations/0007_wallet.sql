-- The wallet around the ledger: deposits and withdrawals through payment providers, deposit addresses,
-- and the outflow log the KYC limits are computed from.

CREATE TABLE deposits (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id),
  asset TEXT NOT NULL REFERENCES ledger_assets(code),
  amount NUMERIC(39,0) NOT NULL CHECK (amount > 0),
  provider TEXT NOT NULL,
  provider_ref TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'failed')),
  checkout_url TEXT,
  client_secret TEXT,
  -- The ledger operation that credited the user.
  operation_id UUID,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  settled_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX deposits_provider_ref_key ON deposits (provider, provider_ref);
CREATE INDEX deposits_user_idx ON deposits (user_id, created_at DESC);

CREATE TABLE withdrawals (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id),
  asset TEXT NOT NULL REFERENCES ledger_assets(code),
  amount NUMERIC(39,0) NOT NULL CHECK (amount > 0),
  destination TEXT NOT NULL,
  provider TEXT NOT NULL,
  provider_ref TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'failed')),
  -- The pending ledger transfer holding the funds until the provider confirms.
  hold_id UUID NOT NULL REFERENCES ledger_transfers(id),
  failure_reason TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  settled_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX withdrawals_provider_ref_key ON withdrawals (provider, provider_ref);
CREATE INDEX withdrawals_user_idx ON withdrawals (user_id, created_at DESC);

CREATE TABLE wallet_deposit_addresses (
  user_id UUID NOT NULL REFERENCES users(id),
  asset TEXT NOT NULL REFERENCES ledger_assets(code),
  network TEXT NOT NULL,
  address TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, asset)
);

-- One row per user, locked FOR UPDATE by every outflow so that concurrent outflows in any asset are checked
-- against the rolling KYC limit one after another.
CREATE TABLE wallet_outflow_limits (
  user_id UUID PRIMARY KEY REFERENCES users(id)
);

-- Every outflow counted against the KYC limit, valued in USD cents when it happened. A failed withdrawal
-- is released and stops counting.
CREATE TABLE wallet_outflows (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id),
  operation_id UUID NOT NULL,
  kind TEXT NOT NULL,
  asset TEXT NOT NULL,
  amount NUMERIC(39,0) NOT NULL,
  usd_cents NUMERIC(39,0) NOT NULL,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  released_at TIMESTAMPTZ
);
CREATE INDEX wallet_outflows_user_at_idx ON wallet_outflows (user_id, at);
CREATE INDEX wallet_outflows_operation_idx ON wallet_outflows (operation_id);
