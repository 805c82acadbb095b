-- 011_operator: roles, the audit trail and the tickets that open the door.
--
-- Roles: an account may hold several; 'operator' includes 'staff'
-- (core/role.h says so in one place). Granted and revoked only by
-- boxoffice-admin, each change written to the audit trail.
CREATE TABLE user_role (
  user_id    INTEGER NOT NULL REFERENCES user(id),
  role       TEXT NOT NULL CHECK (role IN ('operator','staff')),
  granted_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;

-- The audit trail: who (an account, or a system user for the command
-- line: exactly one of the two), did what to what, when, with the state
-- before and after as short text. Append-only, like the ledger: the
-- schema refuses any change or deletion.
CREATE TABLE audit (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor_user   INTEGER REFERENCES user(id),
  actor_system TEXT CHECK (actor_system IS NULL OR
                           length(actor_system) BETWEEN 1 AND 64),
  action       TEXT NOT NULL CHECK (action IN ('grant','revoke','refund',
                 'cancel','cancel_performance','release','setting')),
  subject      TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  before       TEXT CHECK (before IS NULL OR length(before) <= 1000),
  after        TEXT CHECK (after IS NULL OR length(after) <= 1000),
  CHECK ((actor_user IS NULL) <> (actor_system IS NULL))
) STRICT;
CREATE INDEX audit_at ON audit(at);

CREATE TRIGGER audit_is_append_only_u BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_is_append_only_d BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- A ticket per paid seat: the code that opens the door (core/ticket_code.h:
-- 135 random bits from libsodium, stored canonical, 28 symbols). It is
-- made by the schema itself when a hold becomes PAID, whichever code path
-- paid it, so no paid seat is ever without one. new_ticket_code() is
-- registered by db.c on every connection (libsodium; SQLite's own
-- random() is not the CSPRNG the issue asks for). A duplicate code (a
-- 2^-135 draw) fails the payment's transaction, which the buyer retries.
--
-- refunded_at is set once, when the ticket is refunded or cancelled: its
-- code is dead at the door from then on. Nothing else in a ticket ever
-- changes. created_at is the payment's time.
CREATE TABLE ticket (
  id             INTEGER PRIMARY KEY,
  hold_id        INTEGER NOT NULL UNIQUE REFERENCES hold(id),
  performance_id INTEGER NOT NULL REFERENCES performance(id),
  code           TEXT NOT NULL UNIQUE CHECK (length(code) = 28),
  created_at     INTEGER NOT NULL,
  refunded_at    INTEGER
) STRICT;
CREATE INDEX ticket_performance ON ticket(performance_id);

CREATE TRIGGER ticket_changes_only_by_refund BEFORE UPDATE ON ticket
WHEN OLD.refunded_at IS NOT NULL OR NEW.refunded_at IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.hold_id IS NOT OLD.hold_id
  OR NEW.performance_id IS NOT OLD.performance_id
  OR NEW.code IS NOT OLD.code OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'a ticket changes only once, when it is refunded');
END;

CREATE TRIGGER ticket_is_kept BEFORE DELETE ON ticket
BEGIN
  SELECT RAISE(ABORT, 'tickets are never deleted');
END;

CREATE TRIGGER hold_paid_gets_ticket AFTER UPDATE OF state ON hold
WHEN NEW.state = 'PAID' AND OLD.state <> 'PAID'
BEGIN
  INSERT INTO ticket(hold_id, performance_id, code, created_at)
  VALUES (NEW.id, NEW.performance_id, new_ticket_code(),
          coalesce((SELECT created_at FROM payment WHERE hold_id = NEW.id),
                   unixepoch()));
END;

-- Seats paid before this version get their codes now.
INSERT INTO ticket(hold_id, performance_id, code, created_at)
SELECT h.id, h.performance_id, new_ticket_code(),
       coalesce(p.created_at, unixepoch())
FROM hold h LEFT JOIN payment p ON p.hold_id = h.id
WHERE h.state = 'PAID' ORDER BY h.id;
