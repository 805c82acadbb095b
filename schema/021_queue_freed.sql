-- 021_queue_freed: how fast the line moves, counted without a table scan.
--
-- The waiting room's estimate counts the slots that freed in the last
-- minutes (a turn done, left, run out, a call passed over): each freed
-- slot calls the next number. Calls alone are not that rate: at the
-- opening queue_capacity buyers are called at once while nobody has left
-- (review 10, item 6). core/live.h's SLOT_FREED_AT is this expression;
-- SQLite uses the index only when the query's text is the same.
CREATE INDEX queue_freed ON queue_ticket(concert_id,
  min(coalesce(ended_at, expires_at), expires_at))
  WHERE called_at IS NOT NULL;
