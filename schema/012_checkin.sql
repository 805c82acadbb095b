-- 012_checkin: admissions at the door.
--
-- One row per ticket that has been let in: its PRIMARY KEY is the ticket,
-- so a second admission of the same code is impossible in the schema
-- itself, whichever door, worker or program tries it, even in the same
-- millisecond (core/checkin.c reads and writes in one BEGIN IMMEDIATE
-- transaction; this key is what holds if anything ever does not). Who let
-- it in (a staff account), at which door (a name the staff chose), when.
-- Admissions are facts: never changed, never deleted.
CREATE TABLE checkin (
  ticket     INTEGER PRIMARY KEY REFERENCES ticket(id),
  door       TEXT NOT NULL CHECK (length(door) BETWEEN 1 AND 40),
  at         INTEGER NOT NULL,
  staff_user INTEGER NOT NULL REFERENCES user(id)
) STRICT;

CREATE TRIGGER checkin_is_kept_u BEFORE UPDATE ON checkin
BEGIN
  SELECT RAISE(ABORT, 'an admission is never changed');
END;

CREATE TRIGGER checkin_is_kept_d BEFORE DELETE ON checkin
BEGIN
  SELECT RAISE(ABORT, 'an admission is never deleted');
END;
