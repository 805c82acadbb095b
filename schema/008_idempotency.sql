-- 008_idempotency: an Idempotency-Key is recorded inside the transaction of
-- the write it protects.
--
-- 005 claimed a key (IN_FLIGHT) in one transaction, did the work in a
-- second and stored the answer in a third: a worker that died between them
-- left the key IN_FLIGHT, and its retry was refused (409 for a minute, then
-- a second run: seat_taken for the buyer's own seat). Now the operation's
-- own BEGIN IMMEDIATE transaction looks the key up and, when the work is
-- done, writes the record with it: committed together or not at all, one
-- commit per keyed write, nothing IN_FLIGHT to leak.
--
-- A record keeps what a replay needs to answer as the first request did:
-- the request's hash (same key, other request → 422), the first answer's
-- status and the ids of what the operation made, in idem_ref — several per
-- record when an operation makes several things (an order of seats). A
-- replay shows those resources as they are now. No response body is
-- stored. Only writes that did something are recorded: a refusal changed
-- nothing and runs again on retry. Kept 24 hours at least; boxoffice-expire
-- deletes older ones (their refs go with them).
CREATE TABLE idem_record (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES user(id),
  idem_key     TEXT NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 64),
  request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
  status       INTEGER NOT NULL CHECK (status BETWEEN 200 AND 299),
  created_at   INTEGER NOT NULL,
  UNIQUE (user_id, idem_key)
) STRICT;
CREATE INDEX idem_record_age ON idem_record(created_at);

CREATE TABLE idem_ref (
  record_id INTEGER NOT NULL REFERENCES idem_record(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL CHECK (seq >= 0),
  kind      TEXT NOT NULL CHECK (kind IN ('hold','payment','ledger')),
  ref_id    INTEGER NOT NULL,
  PRIMARY KEY (record_id, seq)
) STRICT, WITHOUT ROWID;

-- The answers 005 kept (DONE, 2xx, younger than a day) become records, so
-- a client retrying across the upgrade still gets its replay. Their ids
-- come from the stored bodies: a payment ({"paymentId", "reservation":{…}}),
-- a reservation ({"reservationId", "state"}) or a charge ({"charged"}: the
-- ledger row of the same key, as a charge's key is its ledger key).
-- IN_FLIGHT claims are dropped: that is the state this migration retires.
CREATE TEMP TABLE old_idem AS
  SELECT user_id, idem_key, request_hash, status, created_at, response,
    CASE
      WHEN json_type(response, '$.reservation') = 'object' THEN 'payment'
      WHEN json_type(response, '$.state') = 'text' THEN 'hold'
      WHEN json_type(response, '$.charged') = 'integer' THEN 'ledger'
    END AS kind
  FROM api_idempotency
  WHERE state = 'DONE' AND status BETWEEN 200 AND 299 AND json_valid(response);
DELETE FROM old_idem WHERE kind IS NULL
  OR (kind = 'payment' AND (json_type(response, '$.paymentId') IS NOT 'integer'
    OR json_type(response, '$.reservationId') IS NOT 'integer'))
  OR (kind = 'hold' AND json_type(response, '$.reservationId') IS NOT 'integer')
  OR (kind = 'ledger' AND NOT EXISTS (SELECT 1 FROM ledger l
    WHERE l.user_id = old_idem.user_id AND l.idem_key = old_idem.idem_key));
INSERT INTO idem_record(user_id, idem_key, request_hash, status, created_at)
  SELECT user_id, idem_key, request_hash, status, created_at FROM old_idem;
INSERT INTO idem_ref(record_id, seq, kind, ref_id)
  SELECT r.id, 0, o.kind, CASE o.kind
      WHEN 'payment' THEN json_extract(o.response, '$.paymentId')
      WHEN 'hold' THEN json_extract(o.response, '$.reservationId')
      ELSE (SELECT l.id FROM ledger l WHERE l.user_id = o.user_id
        AND l.idem_key = o.idem_key)
    END
  FROM old_idem o JOIN idem_record r
    ON r.user_id = o.user_id AND r.idem_key = o.idem_key;
INSERT INTO idem_ref(record_id, seq, kind, ref_id)
  SELECT r.id, 1, 'hold', json_extract(o.response, '$.reservationId')
  FROM old_idem o JOIN idem_record r
    ON r.user_id = o.user_id AND r.idem_key = o.idem_key
  WHERE o.kind = 'payment';
DROP TABLE old_idem;
DROP TABLE api_idempotency;
