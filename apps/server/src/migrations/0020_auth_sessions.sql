-- Demo accounts are marked so the sign-in screen lists exactly the seeded ones (never a look-alike a user
-- registered), and refresh tokens are found per user to prune the expired ones at sign-in.
ALTER TABLE users ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
