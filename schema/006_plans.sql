-- 006_plans: an index that serves a buyer's own live holds of a date
-- (the max_holds count, "your held seats") by all four of its terms, so
-- SQLite never prefers scanning every live hold of the performance, with
-- or without ANALYZE statistics. Replaces hold_user(user_id, state).
DROP INDEX hold_user;
CREATE INDEX hold_user ON hold(user_id, state, performance_id, expires_at);
