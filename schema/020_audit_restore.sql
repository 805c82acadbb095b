-- 020_audit_restore: the audit trail records a restore.
--
-- boxoffice-admin restore puts a backup in place of the database and
-- then writes, into the database it put back, who restored it, when and
-- from which file (core/backup.h). The action 'restore' joins the CHECK
-- list of 011; the list is the same closed set as core/audit.h's enum.
--
-- SQLite cannot alter a CHECK, so audit is rebuilt as 014 rebuilt the
-- ledger: a new table, the rows copied with their ids, the old one
-- dropped, the new one renamed, and the index and the append-only
-- triggers of 011 made again as they were. No table references audit by
-- a foreign key, so dropping it deletes nothing elsewhere, and DROP TABLE
-- fires no trigger. The triggers are dropped with the old table and made
-- after the copy.
CREATE TABLE audit_new (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor_user   INTEGER REFERENCES user(id),
  actor_system TEXT CHECK (actor_system IS NULL OR
                           length(actor_system) BETWEEN 1 AND 64),
  action       TEXT NOT NULL CHECK (action IN ('grant','revoke','refund',
                 'cancel','cancel_performance','release','setting',
                 'restore')),
  subject      TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  before       TEXT CHECK (before IS NULL OR length(before) <= 1000),
  after        TEXT CHECK (after IS NULL OR length(after) <= 1000),
  CHECK ((actor_user IS NULL) <> (actor_system IS NULL))
) STRICT;
INSERT INTO audit_new(id, at, actor_user, actor_system, action, subject,
                      before, after)
SELECT id, at, actor_user, actor_system, action, subject, before, after
FROM audit ORDER BY id;

DROP TRIGGER audit_is_append_only_u;
DROP TRIGGER audit_is_append_only_d;
DROP INDEX audit_at;
DROP TABLE audit;
ALTER TABLE audit_new RENAME TO audit;

CREATE INDEX audit_at ON audit(at);

CREATE TRIGGER audit_is_append_only_u BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_is_append_only_d BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
