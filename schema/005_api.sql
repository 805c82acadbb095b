-- 005_api: Idempotency-Key records for the JSON API.
--
-- A client that retries a charge, a reservation or a payment with the same
-- key gets the first answer again instead of a second effect. The record
-- is written IN_FLIGHT before the operation and DONE with its answer
-- after; a retry that finds it IN_FLIGHT is told to wait (409), one with a
-- different request under the same key is refused (422). Kept 24 hours
-- at least; boxoffice-expire deletes older ones.
CREATE TABLE api_idempotency (
  user_id      INTEGER NOT NULL REFERENCES user(id),
  idem_key     TEXT NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 64),
  request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
  state        TEXT NOT NULL CHECK (state IN ('IN_FLIGHT','DONE')),
  status       INTEGER,
  response     TEXT,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (user_id, idem_key),
  CHECK (state = 'IN_FLIGHT' OR (status IS NOT NULL AND response IS NOT NULL))
) STRICT, WITHOUT ROWID;
CREATE INDEX api_idempotency_age ON api_idempotency(created_at);
