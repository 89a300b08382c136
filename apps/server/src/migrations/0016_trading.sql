-- The trading order pipeline. The orders table is the journal of the matching engines: an order is
-- written (with its ledger hold) when it is accepted, and its placement and cancel commands are numbered
-- per pair (`seq`, `cancel_seq`) when a pair's engine processes them, in the same transaction as the
-- fills they cause. A command with its number set is never processed again.

-- Intake order of commands (placements and cancel requests) across all pairs.
CREATE SEQUENCE trading_intake_seq;

-- One row per pair: who runs its engine (the lease holder's epoch fences out a former holder) and the
-- number of the last command it processed.
CREATE TABLE trading_pair_state (
  pair_id TEXT PRIMARY KEY,
  epoch BIGINT NOT NULL DEFAULT 0,
  last_seq BIGINT NOT NULL DEFAULT 0,
  holder TEXT,
  acquired_at TIMESTAMPTZ
);

CREATE TABLE trading_orders (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id),
  pair_id TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  type TEXT NOT NULL CHECK (type IN ('limit', 'market')),
  time_in_force TEXT NOT NULL CHECK (time_in_force IN ('GTC', 'IOC', 'FOK')),
  post_only BOOLEAN NOT NULL DEFAULT false,
  -- Integer ticks and lots of the pair: the limit price (null for market orders) and, for a market buy,
  -- the worst price its hold was sized for.
  price_ticks BIGINT CHECK (price_ticks > 0),
  protection_ticks BIGINT CHECK (protection_ticks > 0),
  quantity_lots BIGINT NOT NULL CHECK (quantity_lots > 0),
  filled_lots BIGINT NOT NULL DEFAULT 0,
  -- Σ price ticks × lots of the fills where this order was the taker, and where it was the maker.
  taker_tick_lots NUMERIC(39,0) NOT NULL DEFAULT 0,
  maker_tick_lots NUMERIC(39,0) NOT NULL DEFAULT 0,
  fills INTEGER NOT NULL DEFAULT 0,
  -- Quote minor units: the percentage fees and the fixed fees charged so far (fee = their sum).
  pct_fee NUMERIC(39,0) NOT NULL DEFAULT 0,
  fixed_fee NUMERIC(39,0) NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')),
  reason TEXT,
  -- The funds behind the order: the asset held, what was held at placement, and the hold open now (a
  -- fill posts part of it and holds the rest again; NULL once the order is over and its hold closed).
  hold_asset TEXT NOT NULL REFERENCES ledger_assets(code),
  hold_total NUMERIC(39,0) NOT NULL CHECK (hold_total > 0),
  hold_id UUID REFERENCES ledger_transfers(id),
  hold_amount NUMERIC(39,0) NOT NULL DEFAULT 0 CHECK (hold_amount >= 0),
  intake_seq BIGINT NOT NULL DEFAULT nextval('trading_intake_seq'),
  seq BIGINT,
  cancel_intake_seq BIGINT,
  cancel_seq BIGINT,
  -- Processing failures: retried with backoff, then parked (a dead letter, funds still held).
  attempts INTEGER NOT NULL DEFAULT 0,
  retry_at TIMESTAMPTZ,
  last_error TEXT,
  parked_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT trading_orders_filled_le_quantity CHECK (filled_lots >= 0 AND filled_lots <= quantity_lots),
  CONSTRAINT trading_orders_limit_has_price CHECK ((type = 'limit') = (price_ticks IS NOT NULL)),
  CONSTRAINT trading_orders_closed_hold CHECK (
    status IN ('new', 'partially_filled') OR (hold_id IS NULL AND hold_amount = 0))
);
CREATE UNIQUE INDEX trading_orders_pair_seq_key ON trading_orders (pair_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX trading_orders_user_idx ON trading_orders (user_id, created_at DESC, id DESC);
-- Commands an engine has yet to process.
CREATE INDEX trading_orders_pending_idx ON trading_orders (pair_id, intake_seq)
  WHERE status = 'new' AND seq IS NULL;
CREATE INDEX trading_orders_cancel_pending_idx ON trading_orders (pair_id, cancel_intake_seq)
  WHERE cancel_intake_seq IS NOT NULL AND cancel_seq IS NULL;
-- The book an engine rebuilds on start: open orders in the order they came to rest.
CREATE INDEX trading_orders_resting_idx ON trading_orders (pair_id, seq)
  WHERE status IN ('new', 'partially_filled') AND seq IS NOT NULL;

CREATE TABLE trading_trades (
  id UUID PRIMARY KEY,
  pair_id TEXT NOT NULL,
  -- The command that made it, and its place among that command's fills.
  seq BIGINT NOT NULL,
  fill_index INTEGER NOT NULL,
  price_ticks BIGINT NOT NULL CHECK (price_ticks > 0),
  quantity_lots BIGINT NOT NULL CHECK (quantity_lots > 0),
  taker_side TEXT NOT NULL CHECK (taker_side IN ('buy', 'sell')),
  maker_order_id UUID NOT NULL REFERENCES trading_orders(id),
  taker_order_id UUID NOT NULL REFERENCES trading_orders(id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (pair_id, seq, fill_index)
);
CREATE INDEX trading_trades_pair_time_idx ON trading_trades (pair_id, created_at DESC, seq DESC, fill_index DESC);
