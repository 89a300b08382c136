-- The withdrawal recovery looks for payouts still pending long after they were asked for.
CREATE INDEX withdrawals_pending_idx ON withdrawals (created_at) WHERE status = 'pending';
