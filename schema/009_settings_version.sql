-- 009_settings_version: a counter that moves whenever a setting is written.
-- A worker keeps what it rendered with the settings (a seat map's prices
-- in the currency, say) only while this counter stands still, so a change
-- by boxoffice-admin set shows on the next request of every worker.
-- Triggers, not application code, keep it: no writer can forget it, not
-- even an operator with sqlite3. Read with the settings in one statement
-- (STMT_SETTING_ALL), so the counter always matches the values read.
CREATE TABLE settings_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL CHECK (version >= 0)
) STRICT;
INSERT INTO settings_version(id, version) VALUES (1, 0);

CREATE TRIGGER setting_insert_bumps_version AFTER INSERT ON setting
BEGIN
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER setting_update_bumps_version AFTER UPDATE ON setting
BEGIN
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER setting_delete_bumps_version AFTER DELETE ON setting
BEGIN
  UPDATE settings_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER settings_version_stays BEFORE DELETE ON settings_version
BEGIN
  SELECT RAISE(ABORT, 'the settings version row is kept for ever');
END;
