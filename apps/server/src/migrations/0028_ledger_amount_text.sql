-- An amount of minor units as the API writes it: exactly `scale` fraction digits (1250 at 2 is '12.50'),
-- the same text as formatMinorUnits in the contracts package. Balance events built by the database itself
-- (the ledger's totals as its final UPDATE leaves them) need it. One expression with no FROM and not
-- STRICT, so the planner inlines it into the statement instead of calling a function per value.
CREATE FUNCTION ledger_amount_text(minor NUMERIC, scale INTEGER) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN minor < 0 THEN '-' ELSE '' END
      || CASE WHEN scale = 0 THEN abs(minor)::text
              ELSE left(lpad(abs(minor)::text, greatest(length(abs(minor)::text), scale + 1), '0'), -scale)
                   || '.'
                   || right(lpad(abs(minor)::text, greatest(length(abs(minor)::text), scale + 1), '0'), scale)
         END
$$;
