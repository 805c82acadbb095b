/*
 * db.h — one SQLite connection per process, with the house rules applied.
 *
 * db_open() sets WAL, busy_timeout, foreign keys, synchronous=FULL and
 * DEFENSIVE: the rules every connection keeps (README.md, How it stays
 * correct). Statements are written beside the code that runs
 * them and prepared once per connection, on first use (sql.h); only the
 * transaction statements are db.c's own. Every write runs inside
 * db_begin_write() (BEGIN IMMEDIATE) … db_commit(); reads that need a
 * consistent view use db_begin_read().
 */
#ifndef BOXOFFICE_DB_H
#define BOXOFFICE_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "status.h"

/* The transaction statements (their SQL in db.c). */
enum db_tx { DB_TX_BEGIN_READ, DB_TX_BEGIN_WRITE, DB_TX_COMMIT, DB_TX_ROLLBACK,
    DB_TX__MAX };

struct db {
	sqlite3 *handle;
	sqlite3_stmt *tx[DB_TX__MAX]; /* prepared with the connection */
	/* Statements declared at their point of use (sql.h), by slot. */
	struct sql_stmt **sql_stmts;
	int sql_cap;
	/* To open it again after storage trouble (db_recover). */
	char *path;
	int flags;
	int suspect;     /* an I/O error, full disk or OOM was seen */
	int writing;     /* between db_begin_write and db_commit/rollback */
	int committing;  /* inside db_commit: the one place a write commits */
};

/* Opens (creating if allowed) the database at path; NULL on failure, with a
 * message on stderr. The caller frees with db_close(). */
struct db *db_open(const char *path, int create);
void db_close(struct db *db);

/* Applies the embedded migrations (schema/NNN_*.sql) newer than
 * PRAGMA user_version, in one transaction. */
enum bo_status db_migrate(struct db *db);
/* The schema version this binary expects, and the one the file has. */
int db_schema_latest(void);
int db_schema_version(struct db *db);

/* What sql_prepare() and the transaction calls do before using a
 * statement (the fault build looks at its control file there). */
void db_use(struct db *db);

/*
 * After an I/O error, a full disk, out of memory or a corrupt read
 * (db_status() saw one) the connection may be left unusable: SQLite keeps
 * a connection's page cache while no other connection writes, so a page
 * read wrong stays wrong for a worker nobody writes beside. This opens a
 * fresh connection in its place, with fresh statements; call it where
 * nothing of the connection is in use (the worker does, before each
 * request). Nothing happens when no trouble was seen, inside a
 * transaction or under a running statement; when the new connection
 * cannot be opened the old one stays, and the next call tries again.
 */
void db_recover(struct db *db);

/* Transactions. begin_write is BEGIN IMMEDIATE: it waits for the write lock
 * up front, so a transaction never has to upgrade. Between begin_write and
 * commit nothing else commits: should SQLite roll the transaction back
 * after an error, a later write statement fails instead of committing on
 * its own, and db_commit says BO_ERROR. db_rollback is safe when SQLite
 * already rolled back. */
enum bo_status db_begin_write(struct db *db);
enum bo_status db_begin_read(struct db *db);
enum bo_status db_commit(struct db *db);
void db_rollback(struct db *db);
/* Whether a transaction is open on the connection (the worker checks that
 * none is left open after a request). */
int db_in_transaction(struct db *db);

/* What db_tidy() did with the write-ahead log. */
struct db_tidy_result {
	int complete;   /* every frame copied back and the WAL truncated */
	int wal_frames; /* frames in the WAL when it ran (-1: unknown) */
	int copied;     /* of those, copied into the database file */
};

/* Cron's housekeeping on its own connection: PRAGMA optimize (planner
 * statistics where due), then a TRUNCATE checkpoint that waits at most
 * DB_TIDY_WAIT_MS for readers and writers (it holds new writers back while
 * it waits). Readers still at work is normal: BO_OK with complete = 0, and
 * the next run finishes the job. A real error is logged with SQLite's
 * message: BO_UNAVAILABLE for storage trouble (I/O, a full disk, a
 * read-only file), else BO_ERROR. */
#define DB_TIDY_WAIT_MS 250
enum bo_status db_tidy(struct db *db, struct db_tidy_result *out);

/* Maps an SQLite result code to a status, logging unexpected errors:
 * BUSY/LOCKED → BO_BUSY, a constraint → BO_CONFLICT, FULL, IOERR, NOMEM,
 * CANTOPEN, READONLY → BO_UNAVAILABLE (and db_recover() will renew the
 * connection), anything else → BO_ERROR. */
enum bo_status db_status(struct db *db, int rc, const char *where);

#endif
