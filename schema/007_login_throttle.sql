-- 007_login_throttle: the login throttle keyed on the account and the
-- client address, with an overall ceiling per account (core/login_throttle.h
-- has the rule and its numbers).
--
-- An attempt is counted (reserved) before its password is hashed, in the
-- same BEGIN IMMEDIATE transaction that reads the counts, so concurrent
-- guesses cannot all pass one check; a success takes its own attempt back.
-- Both tables are keyed on the e-mail as typed (normalised), known or not:
-- an unknown address is throttled exactly like a real account.
DROP TABLE login_failure;

-- Attempts for one account from one client address (an IPv6 client is
-- keyed by its /64) since the last success from there: they set the
-- growing delay. Forgotten a day after the last one.
CREATE TABLE login_attempt (
  email    TEXT NOT NULL,
  addr     TEXT NOT NULL,
  failures INTEGER NOT NULL CHECK (failures >= 0),
  last_at  INTEGER NOT NULL,
  PRIMARY KEY (email, addr)
) STRICT, WITHOUT ROWID;
CREATE INDEX login_attempt_age ON login_attempt(last_at);

-- Attempts for one account from every address in a fixed window: the
-- ceiling only a distributed attack reaches.
CREATE TABLE login_account (
  email        TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL CHECK (failures >= 0),
  window_start INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX login_account_age ON login_account(window_start);
