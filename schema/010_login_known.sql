-- 010_login_known: the login throttle remembers where the owner logged in,
-- and counts each client network's share of an account's ceiling
-- (core/login_throttle.h has the rule and its numbers).
--
-- Before, one client holding many IPv6 /64s (a home /56 has 256, a /48
-- 65,536) was many addresses: it reached the per-account ceiling alone
-- and closed the account to its owner everywhere.

-- A success no longer deletes its address's row: it clears the count and
-- keeps the address known until then (0: never logged in from there). A
-- known address is exempt from the network rule and the ceiling. Rows are
-- forgotten a day after the last attempt, once no longer known.
ALTER TABLE login_attempt ADD COLUMN known_until INTEGER NOT NULL DEFAULT 0;

-- Attempts for one account from one client network (IPv4: the address;
-- IPv6: its /48): failures since a quiet day, with their own free
-- allowance and delay, and how many of them the account's window counted
-- (at most a share, so one network never reaches the ceiling alone).
CREATE TABLE login_network (
  email        TEXT NOT NULL,
  net          TEXT NOT NULL,
  failures     INTEGER NOT NULL CHECK (failures >= 0),
  last_at      INTEGER NOT NULL,
  counted      INTEGER NOT NULL CHECK (counted >= 0),
  window_start INTEGER NOT NULL,
  PRIMARY KEY (email, net)
) STRICT, WITHOUT ROWID;
CREATE INDEX login_network_age ON login_network(last_at);
