-- 001_init: accounts, sessions, the catalogue, holds and settings.
-- Times are INTEGER Unix seconds UTC; money is an INTEGER in the smallest unit.
-- Every table is STRICT: an overflowing integer is an error, never a REAL.

CREATE TABLE setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE user (
  id         INTEGER PRIMARY KEY,
  email      TEXT NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  pw_hash    TEXT NOT NULL,
  balance    INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
  created_at INTEGER NOT NULL
) STRICT;

-- The cookie holds a random token; only its SHA-256 is stored here, so a
-- stolen database file opens no session.
CREATE TABLE session (
  token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id    INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
  csrf       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX session_expiry ON session(expires_at);
CREATE INDEX session_user ON session(user_id);

-- Failed logins per e-mail address in the current window (throttling).
CREATE TABLE login_failure (
  email        TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL CHECK (failures >= 0),
  window_start INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE concert (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  artist      TEXT NOT NULL CHECK (length(artist) BETWEEN 1 AND 200),
  venue       TEXT NOT NULL CHECK (length(venue) BETWEEN 1 AND 200),
  description TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE performance (
  id             INTEGER PRIMARY KEY,
  concert_id     INTEGER NOT NULL REFERENCES concert(id),
  starts_at      INTEGER NOT NULL,
  sale_opens_at  INTEGER NOT NULL,
  sale_closes_at INTEGER NOT NULL,
  -- Filled in when the seats are added; seats never change afterwards.
  seat_count     INTEGER NOT NULL DEFAULT 0 CHECK (seat_count >= 0),
  min_price      INTEGER NOT NULL DEFAULT 0 CHECK (min_price >= 0),
  max_price      INTEGER NOT NULL DEFAULT 0 CHECK (max_price >= min_price),
  CHECK (sale_opens_at <= sale_closes_at AND sale_closes_at <= starts_at)
) STRICT;
CREATE INDEX performance_concert ON performance(concert_id, starts_at);

CREATE TABLE seat (
  id             INTEGER PRIMARY KEY,
  performance_id INTEGER NOT NULL REFERENCES performance(id),
  section        TEXT NOT NULL CHECK (length(section) BETWEEN 1 AND 40),
  row_label      TEXT NOT NULL CHECK (length(row_label) BETWEEN 1 AND 8),
  number         INTEGER NOT NULL CHECK (number > 0),
  price          INTEGER NOT NULL CHECK (price >= 0),
  UNIQUE (performance_id, section, row_label, number)
) STRICT;
-- Seats are shown in the order they were added: (performance_id, rowid).
CREATE INDEX seat_by_performance ON seat(performance_id);

-- A hold is a buyer's claim on a seat. HELD lasts until expires_at; PAID is
-- forever. The partial UNIQUE index lets the database itself refuse a second
-- live claim on a seat: no seat is ever sold twice. A HELD row whose
-- expires_at has passed is treated as free by every query (lazy expiry) and
-- marked EXPIRED by boxoffice-expire, which also moves it out of the index.
CREATE TABLE hold (
  id             INTEGER PRIMARY KEY,
  seat_id        INTEGER NOT NULL REFERENCES seat(id),
  performance_id INTEGER NOT NULL REFERENCES performance(id),
  user_id        INTEGER NOT NULL REFERENCES user(id),
  state          TEXT NOT NULL CHECK (state IN ('HELD','PAID','RELEASED','EXPIRED')),
  price          INTEGER NOT NULL CHECK (price >= 0),
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX hold_one_live_per_seat ON hold(seat_id) WHERE state IN ('HELD','PAID');
CREATE INDEX hold_performance_live ON hold(performance_id, state, expires_at);
CREATE INDEX hold_user ON hold(user_id, state);
