-- The portfolio: what changed each user's holdings (activities: trade fills, deposits, transfers), the FIFO
-- lots they open and the disposals that close them, kept for the P&L and the yearly realized gains.
-- Quantities are minor units of the asset; USD figures are whole cents. Lots and disposals are derived
-- from the activities, in (occurred_at, position) order, and are rebuilt from them when an activity
-- arrives late (an earlier one than the last applied).

-- One row per user whose portfolio is kept: locked while its lots change (one writer per user), and the
-- sort key of the last activity applied to them.
CREATE TABLE portfolio_books (
  user_id UUID PRIMARY KEY REFERENCES users(id),
  applied_at TIMESTAMPTZ,
  applied_position BIGINT,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE portfolio_activity_position;

CREATE TABLE portfolio_activities (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id),
  -- Ties between activities of the same instant keep the order they were recorded in.
  position BIGINT NOT NULL DEFAULT nextval('portfolio_activity_position'),
  -- Where it came from (an order's fills up to a cumulative quantity, a deposit, a transfer): recording the
  -- same source twice records it once, so at-least-once delivery of events is harmless.
  source_key TEXT NOT NULL,
  kind TEXT NOT NULL
    CHECK (kind IN ('buy', 'sell', 'deposit', 'transfer_in', 'transfer_out', 'withdrawal')),
  asset TEXT NOT NULL REFERENCES ledger_assets(code),
  quantity NUMERIC(39,0) NOT NULL CHECK (quantity > 0),
  -- Cost of what came in, proceeds of what was sold; NULL for outflows (not sales: no gain realized).
  usd_cents NUMERIC(39,0) CHECK (usd_cents >= 0),
  occurred_at TIMESTAMPTZ NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (user_id, source_key),
  CONSTRAINT portfolio_activities_value CHECK ((usd_cents IS NULL) = (kind IN ('transfer_out', 'withdrawal')))
);
CREATE INDEX portfolio_activities_replay_idx ON portfolio_activities (user_id, occurred_at, position);

-- A lot is opened by one activity (its id is that activity's id).
CREATE TABLE portfolio_lots (
  id UUID PRIMARY KEY REFERENCES portfolio_activities(id),
  user_id UUID NOT NULL REFERENCES users(id),
  asset TEXT NOT NULL,
  source TEXT NOT NULL,
  opened_at TIMESTAMPTZ NOT NULL,
  open_position BIGINT NOT NULL,
  quantity NUMERIC(39,0) NOT NULL CHECK (quantity > 0),
  cost_cents NUMERIC(39,0) NOT NULL CHECK (cost_cents >= 0),
  remaining_quantity NUMERIC(39,0) NOT NULL CHECK (remaining_quantity >= 0 AND remaining_quantity <= quantity),
  remaining_cost_cents NUMERIC(39,0) NOT NULL
    CHECK (remaining_cost_cents >= 0 AND remaining_cost_cents <= cost_cents),
  closed_at TIMESTAMPTZ,
  CONSTRAINT portfolio_lots_closed CHECK ((remaining_quantity = 0) = (closed_at IS NOT NULL))
);
-- The FIFO queue of each asset: open lots, oldest first.
CREATE INDEX portfolio_lots_open_idx ON portfolio_lots (user_id, asset, opened_at, open_position)
  WHERE closed_at IS NULL;
CREATE INDEX portfolio_lots_history_idx ON portfolio_lots (user_id, opened_at DESC, id DESC);

-- What a sale or an outflow took from one lot (lot_id NULL: the part no lot covered, its cost unknown).
CREATE TABLE portfolio_disposals (
  id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id),
  asset TEXT NOT NULL,
  activity_id UUID NOT NULL REFERENCES portfolio_activities(id),
  lot_id UUID REFERENCES portfolio_lots(id),
  kind TEXT NOT NULL CHECK (kind IN ('sale', 'outflow')),
  disposed_at TIMESTAMPTZ NOT NULL,
  -- The disposing activity's position, then the lot's place in it: the order of the tax report.
  position BIGINT NOT NULL,
  part INTEGER NOT NULL,
  quantity NUMERIC(39,0) NOT NULL CHECK (quantity > 0),
  cost_cents NUMERIC(39,0) CHECK (cost_cents >= 0),
  proceeds_cents NUMERIC(39,0) CHECK (proceeds_cents >= 0),
  CONSTRAINT portfolio_disposals_cost_known CHECK ((lot_id IS NULL) = (cost_cents IS NULL)),
  CONSTRAINT portfolio_disposals_sale_proceeds CHECK ((kind = 'sale') = (proceeds_cents IS NOT NULL))
);
CREATE INDEX portfolio_disposals_year_idx ON portfolio_disposals (user_id, kind, disposed_at, position, part);

-- Fills of trading orders already recorded as activities: the order's cumulative figures at that point.
CREATE TABLE portfolio_order_progress (
  order_id UUID PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id),
  filled_base NUMERIC(39,0) NOT NULL CHECK (filled_base >= 0),
  quote_total NUMERIC(39,0) NOT NULL CHECK (quote_total >= 0),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Orders seen filling whose fills are still to be recorded (a new sighting moves noticed_at on, so the
-- worker that took the older one does not drop it). Failed tries wait until retry_at.
CREATE TABLE portfolio_order_watch (
  order_id UUID PRIMARY KEY,
  user_id UUID NOT NULL,
  noticed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  attempts INTEGER NOT NULL DEFAULT 0,
  retry_at TIMESTAMPTZ
);
CREATE INDEX portfolio_order_watch_due_idx ON portfolio_order_watch (noticed_at);
