-- The lots of one asset depend only on that asset's activities, so whether a new activity arrived late (an
-- activity already recorded comes after it) is asked per (user, asset), and only that asset's history is
-- replayed. This index answers both: the activities of one user's asset in the order they apply.
CREATE INDEX portfolio_activities_asset_idx ON portfolio_activities (user_id, asset, occurred_at, position);
-- The user-wide order it replaces was only read to replay a user's whole history, which no longer happens.
DROP INDEX IF EXISTS portfolio_activities_replay_idx;
