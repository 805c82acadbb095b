-- 004_wallet: the wallet's ledger and payments.
--
-- Money never appears or vanishes: every change of user.balance is one
-- ledger row in the same transaction, and the database refuses a row whose
-- balance_after is not the balance it leaves (trigger below). So balance =
-- sum(ledger.amount) always, and CHECK (balance >= 0) on user forbids
-- overdrawing.
CREATE TABLE ledger (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES user(id),
  kind          TEXT NOT NULL CHECK (kind IN ('CHARGE','PAYMENT')),
  amount        INTEGER NOT NULL,
  balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
  hold_id       INTEGER REFERENCES hold(id),
  idem_key      TEXT CHECK (idem_key IS NULL OR length(idem_key) BETWEEN 1 AND 64),
  created_at    INTEGER NOT NULL,
  CHECK ((kind = 'CHARGE' AND amount > 0 AND hold_id IS NULL) OR
         (kind = 'PAYMENT' AND amount <= 0 AND hold_id IS NOT NULL)),
  UNIQUE (user_id, idem_key)
) STRICT;
CREATE INDEX ledger_user ON ledger(user_id, id);

CREATE TRIGGER ledger_follows_balance BEFORE INSERT ON ledger
WHEN NEW.balance_after IS NOT (SELECT balance FROM user WHERE id = NEW.user_id)
BEGIN
  SELECT RAISE(ABORT, 'ledger row does not match the balance');
END;

-- One payment per hold: paying twice pays once.
CREATE TABLE payment (
  id         INTEGER PRIMARY KEY,
  hold_id    INTEGER NOT NULL UNIQUE REFERENCES hold(id),
  user_id    INTEGER NOT NULL REFERENCES user(id),
  amount     INTEGER NOT NULL CHECK (amount >= 0),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX payment_user ON payment(user_id, id);

-- A held seat's hold row must agree with its seat.
CREATE TRIGGER hold_seat_matches BEFORE INSERT ON hold
WHEN NEW.performance_id IS NOT (SELECT performance_id FROM seat WHERE id = NEW.seat_id)
BEGIN
  SELECT RAISE(ABORT, 'hold performance does not match its seat');
END;

-- boxoffice-expire finds lapsed holds by this.
CREATE INDEX hold_held_expiry ON hold(expires_at) WHERE state = 'HELD';
