-- 013_queue_call: the waiting line by calling (issue 12), replacing the
-- heartbeat rule (abandon_after) of 002_queue.
--
-- A ticket has a place in its concert's line, ordered by line_key: a
-- pre-queue join draws a random key below 2^62 (libsodium), a join after
-- the opening the next key from 2^62 on, so the pre-queue comes first in a
-- random order and later arrivals follow in arrival order. place is the
-- ticket's number in that order, written when it is known (at once for a
-- late arrival, at the call for a pre-queue one: see core/queue.c).
--
-- queue_counter is the line's public counter, one row per concert, made by
-- the first write after the opening: serving is the highest place
-- called (every place at or below it has been called or has left),
-- serving_key the line_key of that place, next_place the number the next
-- arrival gets.
--
-- A WAITING ticket with called_at set has been called: it has until
-- expires_at to come in (claim_seconds), else it is passed over. A
-- WAITING ticket not yet called keeps its place however long its buyer
-- is away: there is no last-seen rule any more.
ALTER TABLE concert ADD COLUMN prequeue_opens INTEGER;  -- NULL: 30 min before the first sale opens
ALTER TABLE queue_ticket ADD COLUMN line_key INTEGER;
ALTER TABLE queue_ticket ADD COLUMN place INTEGER;
ALTER TABLE queue_ticket ADD COLUMN called_at INTEGER;
UPDATE queue_ticket SET line_key = (1 << 62) + id;
CREATE UNIQUE INDEX queue_order ON queue_ticket(concert_id, line_key);
-- The line still to be called, in order: what admission walks.
CREATE INDEX queue_uncalled ON queue_ticket(concert_id, line_key)
  WHERE state = 'WAITING' AND called_at IS NULL;
-- The calls of the last minutes: the public admission rate.
CREATE INDEX queue_calls ON queue_ticket(concert_id, called_at)
  WHERE called_at IS NOT NULL;

CREATE TABLE queue_counter (
  concert_id  INTEGER PRIMARY KEY REFERENCES concert(id),
  opened_at   INTEGER NOT NULL,
  serving     INTEGER NOT NULL DEFAULT 0 CHECK (serving >= 0),
  serving_key INTEGER NOT NULL DEFAULT -1,
  next_place  INTEGER NOT NULL CHECK (next_place > serving)
) STRICT;

-- The keys that sign queue tickets (crypto_auth, core/queue_token.c). The
-- newest signs; a token names its key, so tokens signed with the one
-- before still verify after a rotation (boxoffice-admin rotate-queue-key).
CREATE TABLE queue_key (
  id         INTEGER PRIMARY KEY,
  secret     BLOB NOT NULL CHECK (length(secret) = 32),
  created_at INTEGER NOT NULL
) STRICT;

-- abandon_after is gone with the heartbeat.
DELETE FROM setting WHERE key = 'abandon_after';
