-- 014_refund: refunds in the ledger, and cancelled performances.
--
-- The ledger gains the kind REFUND: money back to the buyer of a paid
-- seat, amount >= 0, naming the hold it pays back, at most one per hold
-- (a partial UNIQUE index: a ticket is refunded once, whoever tries it
-- twice at once), and for exactly what was paid for that hold by that
-- buyer (a trigger against the payment row), so refunds can never
-- exceed gross sales.
--
-- SQLite cannot alter a CHECK, so the ledger is rebuilt: a new table,
-- the rows copied with their ids, the old one dropped, the new one
-- renamed, and every index and trigger of 004 made again as it was. No
-- table references ledger by a foreign key (idem_ref keeps ledger ids as
-- plain numbers), so dropping it with foreign_keys ON deletes nothing
-- elsewhere. user's trigger balance_follows_ledger reads ledger by name:
-- it is dropped before and made again after, as a rename checks every
-- trigger that names a table. The copy moves no balance: the triggers
-- that would are made after it, and every balance_after is copied as is.
CREATE TABLE ledger_new (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES user(id),
  kind          TEXT NOT NULL CHECK (kind IN ('CHARGE','PAYMENT','REFUND')),
  amount        INTEGER NOT NULL,
  balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
  hold_id       INTEGER REFERENCES hold(id),
  idem_key      TEXT CHECK (idem_key IS NULL OR length(idem_key) BETWEEN 1 AND 64),
  created_at    INTEGER NOT NULL,
  CHECK ((kind = 'CHARGE' AND amount > 0 AND hold_id IS NULL) OR
         (kind = 'PAYMENT' AND amount <= 0 AND hold_id IS NOT NULL) OR
         (kind = 'REFUND' AND amount >= 0 AND hold_id IS NOT NULL)),
  UNIQUE (user_id, idem_key)
) STRICT;
INSERT INTO ledger_new(id, user_id, kind, amount, balance_after, hold_id,
                       idem_key, created_at)
SELECT id, user_id, kind, amount, balance_after, hold_id, idem_key, created_at
FROM ledger ORDER BY id;

DROP TRIGGER balance_follows_ledger;
DROP TRIGGER ledger_chains;
DROP TRIGGER ledger_moves_balance;
DROP TRIGGER ledger_is_append_only_u;
DROP TRIGGER ledger_is_append_only_d;
DROP INDEX ledger_user;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;

CREATE INDEX ledger_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_one_refund_per_hold ON ledger(hold_id)
  WHERE kind = 'REFUND';

CREATE TRIGGER ledger_chains BEFORE INSERT ON ledger
WHEN NEW.balance_after IS NOT coalesce((SELECT balance_after FROM ledger
  WHERE user_id = NEW.user_id ORDER BY id DESC LIMIT 1), 0) + NEW.amount
BEGIN
  SELECT RAISE(ABORT, 'ledger row does not follow the previous balance');
END;

CREATE TRIGGER ledger_moves_balance AFTER INSERT ON ledger
BEGIN
  UPDATE user SET balance = NEW.balance_after WHERE id = NEW.user_id;
END;

CREATE TRIGGER balance_follows_ledger BEFORE UPDATE OF balance ON user
WHEN NEW.balance IS NOT coalesce((SELECT balance_after FROM ledger
  WHERE user_id = NEW.id ORDER BY id DESC LIMIT 1), 0)
BEGIN
  SELECT RAISE(ABORT, 'a balance moves only with a ledger row');
END;

CREATE TRIGGER ledger_is_append_only_u BEFORE UPDATE ON ledger
BEGIN
  SELECT RAISE(ABORT, 'the ledger is append-only');
END;

CREATE TRIGGER ledger_is_append_only_d BEFORE DELETE ON ledger
BEGIN
  SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- A refund gives back what that buyer paid for that hold, no more, no
-- less (a seat given without a payment refunds 0).
CREATE TRIGGER ledger_refund_is_the_payment BEFORE INSERT ON ledger
WHEN NEW.kind = 'REFUND' AND NEW.amount IS NOT coalesce((SELECT p.amount
  FROM payment p WHERE p.hold_id = NEW.hold_id AND p.user_id = NEW.user_id), 0)
BEGIN
  SELECT RAISE(ABORT, 'a refund gives back what was paid for its hold');
END;

-- A cancelled performance (boxoffice-admin cancel-performance): its sale
-- is closed for good. Set once, never taken back; the schema itself
-- refuses a new hold or a payment of it from then on, whichever code
-- path tries.
ALTER TABLE performance ADD COLUMN cancelled_at INTEGER;

CREATE TRIGGER performance_cancel_is_final BEFORE UPDATE OF cancelled_at
ON performance
WHEN OLD.cancelled_at IS NOT NULL AND NEW.cancelled_at IS NOT OLD.cancelled_at
BEGIN
  SELECT RAISE(ABORT, 'a cancelled performance stays cancelled');
END;

CREATE TRIGGER hold_not_of_cancelled BEFORE INSERT ON hold
WHEN (SELECT cancelled_at FROM performance WHERE id = NEW.performance_id)
  IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'this performance is cancelled');
END;

CREATE TRIGGER hold_not_paid_if_cancelled BEFORE UPDATE OF state ON hold
WHEN NEW.state = 'PAID' AND (SELECT cancelled_at FROM performance
  WHERE id = NEW.performance_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'this performance is cancelled');
END;
