-- 004_wallet: the wallet's ledger and payments.
--
-- Money never appears or vanishes, and the database itself sees to it:
-- the ledger is an append-only chain per buyer in which every row's
-- balance_after is the previous row's plus its amount (never below zero),
-- and user.balance can only ever equal the newest balance_after: it is
-- moved by a trigger on the ledger, and any other change is refused.
-- So balance = sum(ledger.amount), always.
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
