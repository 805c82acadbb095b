/*
 * backup.c — online backups and restores by SQLite's backup API (see
 * backup.h).
 *
 * Its statements are not struct sql (sql.h): they run on connections of
 * their own to other files (the copy, the file to restore, the live file
 * locked for the restore), before or beside any struct db, and read only
 * pragmas and sqlite_schema. The one write through a struct db is the
 * restore's audit row (audit.c's statement).
 */
#include "backup.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "sql.h"

/* Pages a step copies (4 MiB of 4 KiB pages): a progress line each, and
 * the copy's read transaction lets writers go on between them. */
#define STEP_PAGES 1024
/* Tables every boxoffice database has had since the first migration. */
#define KNOWN_TABLES_TEXT "setting, user, concert, performance, seat, hold"
#define KNOWN_TABLES 6
#define KNOWN_TABLES_SQL                                                      \
	"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN" \
	" ('setting', 'user', 'concert', 'performance', 'seat', 'hold')"

static void
say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* What an SQLite error means for the caller. */
static enum bo_status
status_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return BO_BUSY;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return BO_UNAVAILABLE;
	default:
		return BO_ERROR;
	}
}

/* The first column of the first row of sql as an int; -1 on failure. */
static int
one_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* PRAGMA integrity_check: 1 when "ok", else 0 with its first line. */
static int
integrity_ok(sqlite3 *h, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int ok = 0, rc;

	if ((rc = sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st,
	    NULL)) != SQLITE_OK) {
		say(err, errlen, "cannot run integrity_check: %s",
		    sqlite3_errmsg(h));
		return 0;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		ok = r != NULL && strcmp(r, "ok") == 0;
		if (!ok)
			say(err, errlen, "integrity_check says: %s",
			    r != NULL ? r : "(nothing)");
	} else {
		say(err, errlen, "integrity_check failed: %s", sqlite3_errmsg(h));
	}
	sqlite3_finalize(st);
	return ok;
}

/* Copies src's main database into dst's, STEP_PAGES at a time; an SQLite
 * result code (SQLITE_OK when done), with err filled on failure. */
static int
copy_pages(sqlite3 *dst, sqlite3 *src, backup_progress_fn *progress,
    void *arg, struct backup_info *info, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;

	if (b == NULL) {
		say(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(dst));
		return sqlite3_errcode(dst);
	}
	do {
		rc = sqlite3_backup_step(b, STEP_PAGES);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(50); /* a writer's moment: try again */
		else if (progress != NULL && (rc == SQLITE_OK || rc == SQLITE_DONE))
			progress(arg, sqlite3_backup_pagecount(b) -
			    sqlite3_backup_remaining(b), sqlite3_backup_pagecount(b));
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (info != NULL)
		info->pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		say(err, errlen, "the copy failed: %s", sqlite3_errstr(rc));
		return rc;
	}
	return SQLITE_OK;
}

/* fsync of a file or a folder by name; 0 on failure (errno set). */
static int
sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/* Removes a partial copy and what SQLite may have left beside it. */
static void
remove_partial(const char *tmp)
{
	static const char *const ext[] = { "", "-journal", "-wal", "-shm" };
	char name[4096];

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		snprintf(name, sizeof name, "%s%s", tmp, ext[i]);
		unlink(name);
	}
}

/*
 * Writes src's main database (as of the caller's read transaction, if
 * one is open) to path, as backup.h describes: a partial file beside it,
 * made standalone, checked, synced, then named path (by link() when
 * overwrite is 0, so an existing file is never replaced: BO_CONFLICT).
 */
static enum bo_status
write_copy(sqlite3 *src, const char *path, int overwrite,
    backup_progress_fn *progress, void *arg, struct backup_info *info,
    char *err, size_t errlen)
{
	char *tmp = xmalloc(strlen(path) + sizeof ".partial-XXXXXX");
	char *dircopy = strcpy(xmalloc(strlen(path) + 1), path);
	enum bo_status s = BO_OK;
	sqlite3 *dst = NULL;
	int fd, rc;

	sprintf(tmp, "%s.partial-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		say(err, errlen, "cannot create a file beside %s: %s", path,
		    strerror(errno));
		free(tmp);
		free(dircopy);
		return BO_UNAVAILABLE;
	}
	close(fd);
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		say(err, errlen, "cannot open %s: %s", tmp, sqlite3_errstr(rc));
		s = status_of(rc);
	} else if ((rc = copy_pages(dst, src, progress, arg, info, err,
	    errlen)) != SQLITE_OK) {
		s = status_of(rc);
	} else if ((rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE",
	    NULL, NULL, NULL)) != SQLITE_OK) {
		/* The copy says WAL in its header like its source: a file
		 * of its own, without a -wal beside it, is what to keep. */
		say(err, errlen, "cannot make the copy standalone: %s",
		    sqlite3_errmsg(dst));
		s = status_of(rc);
	} else if (!integrity_ok(dst, err, errlen)) {
		s = BO_ERROR;
	} else if (info != NULL) {
		info->page_size = one_int(dst, "PRAGMA page_size");
		info->schema_version = one_int(dst, "PRAGMA user_version");
	}
	sqlite3_close(dst);
	if (s == BO_OK && !sync_path(tmp, O_RDONLY)) {
		say(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
		s = BO_UNAVAILABLE;
	}
	if (s == BO_OK) {
		if (overwrite ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
			if (errno == EEXIST) {
				say(err, errlen, "%s exists already", path);
				s = BO_CONFLICT;
			} else {
				say(err, errlen, "cannot name the copy %s: %s",
				    path, strerror(errno));
				s = BO_UNAVAILABLE;
			}
		} else {
			/* The new name survives a power cut. */
			sync_path(dirname(dircopy), O_RDONLY | O_DIRECTORY);
		}
	}
	remove_partial(tmp); /* after link(): the copy keeps its name */
	free(tmp);
	free(dircopy);
	return s;
}

/* Whether a and b name one file (a restore onto its own source). */
static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* path as an absolute name with its folder resolved (it need not exist
 * itself), into out (PATH_MAX bytes); 0 when its folder cannot be. */
static int
resolved(const char *path, char out[PATH_MAX])
{
	char *d = strcpy(xmalloc(strlen(path) + 1), path);
	char *b = strcpy(xmalloc(strlen(path) + 1), path);
	char folder[PATH_MAX];
	int ok = realpath(dirname(d), folder) != NULL &&
	    snprintf(out, PATH_MAX, "%s/%s", folder, basename(b)) < PATH_MAX;

	free(d);
	free(b);
	return ok;
}

/*
 * Whether writing path would replace the live database live or a file
 * SQLite keeps beside it (its -wal, -shm, -journal): the same name once
 * folders are resolved, or the same file by another name (a link). A
 * copy renamed over the database leaves the workers selling into a file
 * nobody else reads; one over its -wal or -journal loses or "rolls
 * back" every sale not yet checkpointed.
 */
static int
live_file(const char *path, const char *live)
{
	static const char *const beside[] = { "", "-wal", "-shm", "-journal" };
	char p[PATH_MAX], l[PATH_MAX], name[PATH_MAX + 16];

	if (!resolved(path, p) || !resolved(live, l))
		return 0; /* nothing can be written there either */
	for (size_t i = 0; i < sizeof beside / sizeof beside[0]; i++) {
		snprintf(name, sizeof name, "%s%s", l, beside[i]);
		if (strcmp(p, name) == 0 || same_file(path, name))
			return 1;
	}
	return 0;
}

enum bo_status
backup_to(struct db *db, const char *path, int overwrite,
    backup_progress_fn *progress, void *arg, struct backup_info *info,
    char *err, size_t errlen)
{
	struct backup_info scratch;
	const char *live;
	enum bo_status s;

	assert(db != NULL && path != NULL && err != NULL && errlen > 0);
	err[0] = '\0';
	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof *info);
	live = sqlite3_db_filename(db->handle, "main");
	if (live != NULL && live[0] != '\0' && live_file(path, live)) {
		say(err, errlen, "%s is the live database or belongs to it "
		    "(its -wal, -shm or -journal)", path);
		return BO_INVALID;
	}
	if (!overwrite && access(path, F_OK) == 0) {
		say(err, errlen, "%s exists already", path);
		return BO_CONFLICT;
	}
	/* One read transaction over the whole copy: the database as of one
	 * instant. Its first read (the version) is where that instant is. */
	if ((s = db_begin_read(db)) != BO_OK) {
		say(err, errlen, "cannot read the database");
		return s;
	}
	db_schema_version(db);
	s = write_copy(db->handle, path, overwrite, progress, arg, info, err,
	    errlen);
	db_rollback(db); /* the read ends; nothing was written */
	return s;
}

int
backup_check(const char *path, struct backup_info *info, char *err,
    size_t errlen)
{
	sqlite3 *h = NULL;
	int rc, ok = 0;

	memset(info, 0, sizeof *info);
	if (access(path, R_OK) != 0) {
		say(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return 0;
	}
	rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		say(err, errlen, "%s does not open as SQLite: %s", path,
		    sqlite3_errstr(rc));
	} else if ((info->schema_version = one_int(h,
	    "PRAGMA user_version")) < 0) {
		say(err, errlen, "%s is not an SQLite database: %s", path,
		    sqlite3_errmsg(h));
	} else if (!integrity_ok(h, err, errlen)) {
		/* err says what */
	} else {
		ok = one_int(h, KNOWN_TABLES_SQL) == KNOWN_TABLES;
		if (!ok)
			say(err, errlen, "%s is not a boxoffice database (it "
			    "lacks the tables every version has: %s)", path,
			    KNOWN_TABLES_TEXT);
		if (ok && (info->schema_version < 1 ||
		    info->schema_version > db_schema_latest())) {
			say(err, errlen, "%s is at schema version %d; this "
			    "program knows versions 1 to %d (a newer "
			    "boxoffice made it?)", path, info->schema_version,
			    db_schema_latest());
			ok = 0;
		}
		info->pages = one_int(h, "PRAGMA page_count");
		info->page_size = one_int(h, "PRAGMA page_size");
	}
	sqlite3_close(h);
	return ok;
}

enum bo_status
backup_restore(const char *from, const char *live, const char *kept,
    backup_progress_fn *progress, void *arg, struct backup_info *info,
    char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	enum bo_status s = BO_OK;
	int rc;

	assert(from != NULL && live != NULL && err != NULL && errlen > 0);
	err[0] = '\0';
	if (!backup_check(from, info, err, errlen))
		return BO_INVALID;
	if (same_file(from, live)) {
		say(err, errlen, "%s is the live database itself", from);
		return BO_INVALID;
	}
	rc = sqlite3_open_v2(live, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		say(err, errlen, "cannot open %s: %s", live, sqlite3_errstr(rc));
		sqlite3_close(dst);
		return status_of(rc);
	}
	/*
	 * Held until the connection closes: no other connection may have
	 * the file open meanwhile. Another one's open WAL connection (a
	 * worker's, even idle) holds a lock that makes this fail at once.
	 */
	sqlite3_busy_timeout(dst, 0);
	rc = sqlite3_exec(dst, "PRAGMA locking_mode = EXCLUSIVE;"
	    "BEGIN EXCLUSIVE; COMMIT", NULL, NULL, NULL);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		say(err, errlen, "%s is open in another program (the workers, "
		    "boxoffice-expire, sqlite3…): stop them first; nothing was "
		    "changed", live);
		s = BO_BUSY;
	} else if (rc != SQLITE_OK) {
		say(err, errlen, "cannot lock %s: %s", live, sqlite3_errmsg(dst));
		s = status_of(rc);
	}
	if (s == BO_OK && kept != NULL &&
	    one_int(dst, "SELECT count(*) FROM sqlite_schema") > 0)
		s = write_copy(dst, kept, 0, NULL, NULL, NULL, err, errlen);
	if (s == BO_OK) {
		rc = sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL);
		if (rc != SQLITE_OK) {
			say(err, errlen, "cannot open %s: %s", from,
			    sqlite3_errstr(rc));
			s = status_of(rc);
		} else if ((rc = copy_pages(dst, src, progress, arg, info, err,
		    errlen)) != SQLITE_OK) {
			s = status_of(rc);
		}
		sqlite3_close(src);
	}
	sqlite3_close(dst);
	return s;
}

enum bo_status
backup_restore_audit(struct db *db, const struct audit_actor *who,
    const char *from, int from_version, const char *kept, int64_t now)
{
	char path[PATH_MAX], kept_path[PATH_MAX], before[PATH_MAX + 16],
	    after[PATH_MAX + 64], subject[PATH_MAX + 16];
	const char *live = sqlite3_db_filename(db->handle, "main");
	enum bo_status s;

	assert(db != NULL && who != NULL && from != NULL);
	/* The files as the operator would find them again: absolute; as
	 * typed when a folder is gone meanwhile. */
	if (!resolved(from, path))
		snprintf(path, sizeof path, "%s", from);
	snprintf(after, sizeof after, "restored from %s (schema version %d)",
	    path, from_version);
	if (kept != NULL) {
		if (!resolved(kept, kept_path))
			snprintf(kept_path, sizeof kept_path, "%s", kept);
		snprintf(before, sizeof before, "kept as %s", kept_path);
	}
	snprintf(subject, sizeof subject, "database %s",
	    live != NULL && live[0] != '\0' ? live : "(in memory)");
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	s = audit_write_locked(db, who, AUDIT_RESTORE, subject,
	    kept != NULL ? before : NULL, after, now);
	return sql_end(db, s);
}
