-- 017_expire_run: when boxoffice-expire last finished its work, for the
-- "expiry job not running" alert (boxoffice_expire_last_run_timestamp_seconds
-- on /metrics, admin/prometheus/alerts.yml). One row, kept for ever: 0
-- until the job has finished once, so a site whose cron never ran alerts
-- too. Correctness never waits for the job (lazy expiry); this only says
-- whether the housekeeping (written-down expiries, the WAL checkpoint)
-- still happens.
CREATE TABLE expire_run (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  finished_at INTEGER NOT NULL CHECK (finished_at >= 0)
) STRICT;
INSERT INTO expire_run(id, finished_at) VALUES (1, 0);

CREATE TRIGGER expire_run_stays BEFORE DELETE ON expire_run
BEGIN
  SELECT RAISE(ABORT, 'the expiry job''s row is kept for ever');
END;
