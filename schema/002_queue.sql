-- 002_queue: the waiting queue per concert.
--
-- A ticket's id is its place in line (FIFO). WAITING tickets are admitted
-- oldest first while fewer than queue_capacity are ACTIVE. Lazy expiry:
-- an ACTIVE ticket whose expires_at has passed, or a WAITING one not seen
-- for abandon_after seconds, counts as EXPIRED before anything marks it.
CREATE TABLE queue_ticket (
  id          INTEGER PRIMARY KEY,
  concert_id  INTEGER NOT NULL REFERENCES concert(id),
  user_id     INTEGER NOT NULL REFERENCES user(id),
  token       TEXT NOT NULL UNIQUE CHECK (length(token) = 22),
  state       TEXT NOT NULL CHECK (state IN ('WAITING','ACTIVE','DONE','EXPIRED')),
  joined_at   INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  admitted_at INTEGER,
  expires_at  INTEGER,
  ended_at    INTEGER,
  CHECK (state <> 'ACTIVE' OR (admitted_at IS NOT NULL AND expires_at IS NOT NULL))
) STRICT;
-- One live ticket per buyer per concert, enforced by the database.
CREATE UNIQUE INDEX queue_one_live ON queue_ticket(concert_id, user_id)
  WHERE state IN ('WAITING','ACTIVE');
-- Counting who is ahead reads only this index.
CREATE INDEX queue_line ON queue_ticket(concert_id, state, id, last_seen);
-- A buyer's latest ticket for a concert.
CREATE INDEX queue_user ON queue_ticket(user_id, concert_id, id);
CREATE INDEX queue_active ON queue_ticket(concert_id, state, expires_at);
CREATE INDEX queue_admissions ON queue_ticket(concert_id, admitted_at)
  WHERE admitted_at IS NOT NULL;
