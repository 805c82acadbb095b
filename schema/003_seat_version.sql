-- 003_seat_version: a counter per performance that moves whenever a hold
-- of it is written, so a worker may keep a rendered seat map until either
-- the counter moves or the next live hold lapses by itself (lazy expiry).
-- Triggers, not application code, keep it: no write path can forget it.
ALTER TABLE performance ADD COLUMN seats_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER hold_insert_bumps_seats AFTER INSERT ON hold
BEGIN
  UPDATE performance SET seats_version = seats_version + 1
   WHERE id = NEW.performance_id;
END;

CREATE TRIGGER hold_update_bumps_seats AFTER UPDATE OF state, expires_at ON hold
BEGIN
  UPDATE performance SET seats_version = seats_version + 1
   WHERE id = NEW.performance_id;
END;

CREATE TRIGGER hold_delete_bumps_seats AFTER DELETE ON hold
BEGIN
  UPDATE performance SET seats_version = seats_version + 1
   WHERE id = OLD.performance_id;
END;
