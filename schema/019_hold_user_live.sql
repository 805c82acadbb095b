-- 019_hold_user_live: a buyer's live holds of one date, found without
-- iterating the states.
--
-- The seat map marks the buyer's own held and paid seats on every view
-- (core/hold.c seats_mine). Through hold_user (user_id, state, …) the
-- LIVE_HOLD term "state IN ('HELD','PAID')" is looked up state by state,
-- which SQLite codes as a temporary table built on every execution: four
-- times the work of the rest of the statement. This partial index holds
-- exactly the live states, so the term is answered by the index itself.
CREATE INDEX hold_user_live ON hold(user_id, performance_id)
  WHERE state IN ('HELD','PAID');
