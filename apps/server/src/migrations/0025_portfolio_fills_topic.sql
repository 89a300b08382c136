-- The portfolio now learns of fills from trading's `trading.fills_settled` outbox topic; the watch list of
-- orders it used to keep until that topic existed (0024) is no longer used.
DROP TABLE IF EXISTS portfolio_order_watch;
