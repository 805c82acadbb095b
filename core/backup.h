/*
 * backup.h — copies of the database taken while it sells, and putting one
 * back.
 *
 * backup_to() uses SQLite's online backup API from the caller's own
 * connection, inside one read transaction: the copy is the database as
 * of one instant (every sale either wholly in it or not at all), and
 * writers go on selling meanwhile (in WAL mode a reader holds no writer
 * back; the write-ahead log only grows until the copy is done). The copy
 * is written beside the target as PATH.partial-XXXXXX, made a standalone
 * file (journal_mode DELETE: no -wal beside it), checked with PRAGMA
 * integrity_check, synced, and only then given its name: a backup that
 * fails half-way never leaves a file at PATH.
 *
 * backup_check() says whether a file is a boxoffice database this program
 * can use; backup_restore() puts one in place of the live database.
 */
#ifndef BOXOFFICE_BACKUP_H
#define BOXOFFICE_BACKUP_H

#include <stddef.h>

#include "audit.h"
#include "db.h"

/* Room for any message of these functions, NUL included. */
#define BACKUP_ERR_MAX 512

/* Called after each step of a copy: pages copied so far, of total. */
typedef void backup_progress_fn(void *arg, int done, int total);

/* What a backup or a checked file is. */
struct backup_info {
	int pages, page_size;
	int schema_version;
};

/*
 * Copies db's database to path. BO_INVALID when path is db's own file
 * or one SQLite keeps beside it (-wal, -shm, -journal), even with
 * overwrite; BO_CONFLICT when path exists and overwrite is 0 (nothing
 * written in either case); BO_ERROR or BO_UNAVAILABLE with a
 * sentence in err (errlen bytes) when the copy could not be made or did
 * not pass integrity_check (no file left at path). progress may be NULL.
 */
enum bo_status backup_to(struct db *db, const char *path, int overwrite,
    backup_progress_fn *progress, void *arg, struct backup_info *info,
    char *err, size_t errlen);

/*
 * Whether the file at path is a boxoffice database this program knows: it
 * opens read-only as SQLite, passes integrity_check, has boxoffice's
 * tables, and a schema version from 1 to db_schema_latest(). 1 with *info,
 * or 0 with a sentence in err.
 */
int backup_check(const char *path, struct backup_info *info, char *err,
    size_t errlen);

/*
 * Replaces the database at live (created when missing) by the one at
 * from, which backup_check() must accept. Refused (BO_BUSY, nothing
 * changed) while any other connection has the live database open: the
 * workers, boxoffice-expire, another boxoffice-admin, sqlite3. Before
 * replacing it, keeps what was there as kept (when not NULL and the live
 * database had tables), a backup like backup_to's. The restore is one
 * write of the live database: a failure leaves it as it was. The restored
 * database keeps its own schema version (the caller migrates it).
 */
enum bo_status backup_restore(const char *from, const char *live,
    const char *kept, backup_progress_fn *progress, void *arg,
    struct backup_info *info, char *err, size_t errlen);

/*
 * The restore's audit row, written into the database just put back (db,
 * migrated to the latest version: the row is the restored database's
 * own, its trail goes on from the backup's). who restored it at now,
 * from the file from (named by its absolute path), of schema version
 * from_version; kept is where the database it replaced was kept (NULL:
 * there was none). One short write transaction of its own, after the
 * restore: the restored file is the old database, which could not have
 * held the row.
 */
enum bo_status backup_restore_audit(struct db *db,
    const struct audit_actor *who, const char *from, int from_version,
    const char *kept, int64_t now);

#endif
