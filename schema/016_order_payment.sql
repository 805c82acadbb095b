-- 016_order_payment: one payment for several seats.
--
-- Until now a payment paid one hold (payment.hold_id, NOT NULL UNIQUE) and
-- its ledger debit named that hold. An order of several seats is paid once:
-- one payment, one debit in the ledger, every seat PAID, in one
-- transaction. So the link turns round: each paid hold names its payment
-- (hold.payment_id, set in the same UPDATE that makes it PAID, never
-- changed afterwards), and the ledger's PAYMENT row names the payment it
-- debits (ledger.payment_id), at most one debit per payment and for
-- exactly the payment's amount. balance = ledger stays enforced as 004
-- and 014 have it (the chain, user.balance moved only by the ledger,
-- append-only). A refund (014) still names the hold it pays back and
-- gives back what that seat cost in its payment.
--
-- Written after 014_refund, whose ledger this rebuilds again (SQLite
-- cannot alter a CHECK): a new table, the rows copied with their ids, the
-- old one dropped and the new one renamed, every index and trigger of 014
-- made again. payment is rebuilt the same way, its hold_id now optional. The
-- triggers that name payment or ledger in their bodies are dropped first
-- (a rename checks every trigger that names a table) and made again.

-- Which hold each payment of before paid.
CREATE TEMP TABLE paid_hold AS SELECT id AS payment_id, hold_id FROM payment;

DROP TRIGGER hold_paid_gets_ticket;
DROP TRIGGER ledger_refund_is_the_payment;
DROP TRIGGER balance_follows_ledger;
DROP TRIGGER ledger_chains;
DROP TRIGGER ledger_moves_balance;
DROP TRIGGER ledger_is_append_only_u;
DROP TRIGGER ledger_is_append_only_d;
DROP INDEX ledger_user;
DROP INDEX ledger_one_refund_per_hold;

-- hold_id stays for a payment of one seat (the form every payment had
-- before, which readers of payment.hold_id rely on) and is NULL for a
-- payment of several; either way the paid holds name it.
CREATE TABLE payment_new (
  id         INTEGER PRIMARY KEY,
  hold_id    INTEGER UNIQUE REFERENCES hold(id),
  user_id    INTEGER NOT NULL REFERENCES user(id),
  amount     INTEGER NOT NULL CHECK (amount >= 0),
  created_at INTEGER NOT NULL
) STRICT;
INSERT INTO payment_new(id, hold_id, user_id, amount, created_at)
SELECT id, hold_id, user_id, amount, created_at FROM payment ORDER BY id;
DROP INDEX payment_user;
DROP TABLE payment;
ALTER TABLE payment_new RENAME TO payment;
CREATE INDEX payment_user ON payment(user_id, id);

ALTER TABLE hold ADD COLUMN payment_id INTEGER REFERENCES payment(id);
UPDATE hold SET payment_id = (SELECT payment_id FROM paid_hold
  WHERE paid_hold.hold_id = hold.id)
WHERE id IN (SELECT hold_id FROM paid_hold);
CREATE INDEX hold_by_payment ON hold(payment_id) WHERE payment_id IS NOT NULL;

CREATE TABLE ledger_new (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES user(id),
  kind          TEXT NOT NULL CHECK (kind IN ('CHARGE','PAYMENT','REFUND')),
  amount        INTEGER NOT NULL,
  balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
  -- REFUND: the seat paid back. PAYMENT: the seat paid when its payment
  -- paid one (payment.hold_id), NULL for a payment of several.
  hold_id       INTEGER REFERENCES hold(id),
  payment_id    INTEGER REFERENCES payment(id),
  idem_key      TEXT CHECK (idem_key IS NULL OR length(idem_key) BETWEEN 1 AND 64),
  created_at    INTEGER NOT NULL,
  CHECK ((kind = 'CHARGE' AND amount > 0 AND hold_id IS NULL
          AND payment_id IS NULL) OR
         (kind = 'PAYMENT' AND amount <= 0 AND payment_id IS NOT NULL) OR
         (kind = 'REFUND' AND amount >= 0 AND hold_id IS NOT NULL
          AND payment_id IS NULL)),
  UNIQUE (user_id, idem_key)
) STRICT;
INSERT INTO ledger_new(id, user_id, kind, amount, balance_after, hold_id,
                       payment_id, idem_key, created_at)
SELECT l.id, l.user_id, l.kind, l.amount, l.balance_after, l.hold_id,
       CASE l.kind WHEN 'PAYMENT' THEN (SELECT payment_id FROM paid_hold
         WHERE paid_hold.hold_id = l.hold_id) END,
       l.idem_key, l.created_at
FROM ledger l ORDER BY l.id;
DROP TABLE ledger;
ALTER TABLE ledger_new RENAME TO ledger;
DROP TABLE paid_hold;

CREATE INDEX ledger_user ON ledger(user_id, id);
CREATE UNIQUE INDEX ledger_one_refund_per_hold ON ledger(hold_id)
  WHERE kind = 'REFUND';
-- One debit per payment: paying twice pays once.
CREATE UNIQUE INDEX ledger_one_debit_per_payment ON ledger(payment_id)
  WHERE kind = 'PAYMENT';

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

-- A debit takes exactly the payment's amount, from the payment's buyer.
CREATE TRIGGER ledger_payment_is_the_payment BEFORE INSERT ON ledger
WHEN NEW.kind = 'PAYMENT' AND NEW.payment_id IS NOT NULL
  AND (NEW.amount IS NOT -(SELECT p.amount FROM payment p
         WHERE p.id = NEW.payment_id AND p.user_id = NEW.user_id)
    OR NEW.hold_id IS NOT (SELECT hold_id FROM payment
         WHERE id = NEW.payment_id))
BEGIN
  SELECT RAISE(ABORT, 'a debit takes what its payment says');
END;

-- A refund gives back what that buyer paid for that seat: its price in
-- the payment that paid it (a seat given without a payment refunds 0).
CREATE TRIGGER ledger_refund_is_the_payment BEFORE INSERT ON ledger
WHEN NEW.kind = 'REFUND' AND NEW.amount IS NOT coalesce((SELECT h.price
  FROM hold h JOIN payment p ON p.id = h.payment_id
  WHERE h.id = NEW.hold_id AND p.user_id = NEW.user_id), 0)
BEGIN
  SELECT RAISE(ABORT, 'a refund gives back what was paid for its hold');
END;

-- A hold becomes PAID only with its payment, the buyer's own (and, when
-- that payment names one hold, this one), and keeps that payment for ever.
CREATE TRIGGER hold_paid_names_payment BEFORE UPDATE OF state ON hold
WHEN NEW.state = 'PAID' AND OLD.state <> 'PAID' AND
  (NEW.payment_id IS NULL OR NOT EXISTS (SELECT 1 FROM payment p
   WHERE p.id = NEW.payment_id AND p.user_id = NEW.user_id
     AND (p.hold_id IS NULL OR p.hold_id = NEW.id)))
BEGIN
  SELECT RAISE(ABORT, 'a paid hold names its buyer''s payment');
END;

CREATE TRIGGER hold_keeps_its_payment BEFORE UPDATE OF payment_id ON hold
WHEN OLD.payment_id IS NOT NULL AND NEW.payment_id IS NOT OLD.payment_id
BEGIN
  SELECT RAISE(ABORT, 'a paid hold keeps its payment');
END;

-- 011's ticket, dated by the payment the hold now names.
CREATE TRIGGER hold_paid_gets_ticket AFTER UPDATE OF state ON hold
WHEN NEW.state = 'PAID' AND OLD.state <> 'PAID'
BEGIN
  INSERT INTO ticket(hold_id, performance_id, code, created_at)
  VALUES (NEW.id, NEW.performance_id, new_ticket_code(),
          coalesce((SELECT created_at FROM payment WHERE id = NEW.payment_id),
                   unixepoch()));
END;
