/*
 * db.h — one SQLite connection per process, with the house rules applied.
 *
 * db_open() sets WAL, busy_timeout, foreign keys, synchronous=FULL and
 * DEFENSIVE (DESIGN §5). Statements are named by enum stmt (stmt.h) and
 * prepared once per connection, on first use. Every write runs inside
 * db_begin_write() (BEGIN IMMEDIATE) … db_commit(); reads that need a
 * consistent view use db_begin_read().
 */
#ifndef BOXOFFICE_DB_H
#define BOXOFFICE_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "status.h"
#include "stmt.h"

struct db {
	sqlite3 *handle;
	sqlite3_stmt *stmts[STMT__MAX];
	/* Statements declared at their point of use (sql.h), by slot. */
	struct sql_stmt **sql_stmts;
	int sql_cap;
	/* What the queue keeps of long lines between requests (queue.c),
	 * freed with the connection. */
	void *queue_cache;
	void (*queue_cache_free)(void *);
	/* To open it again after storage trouble (see db_begin_write). */
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

/* The prepared statement for id, owned by the connection (all are
 * prepared when a database at this binary's schema version is opened).
 * Reset it with db_reset() when done (a stepped, unreset statement pins
 * the WAL). After storage trouble the connection is renewed at the next
 * db_stmt() outside a transaction with no statement running: do not keep
 * a statement across that. */
sqlite3_stmt *db_stmt(struct db *db, enum stmt id);
void db_reset(sqlite3_stmt *st);

/* Transactions. begin_write is BEGIN IMMEDIATE: it waits for the write lock
 * up front, so a transaction never has to upgrade. Between begin_write and
 * commit nothing else commits: should SQLite roll the transaction back
 * after an error, a later write statement fails instead of committing on
 * its own, and db_commit says BO_ERROR. After storage trouble (an I/O
 * error, a full disk, out of memory: BO_UNAVAILABLE) the next begin starts
 * on a fresh connection. db_rollback is safe when SQLite already rolled
 * back. */
enum bo_status db_begin_write(struct db *db);
enum bo_status db_begin_read(struct db *db);
enum bo_status db_commit(struct db *db);
void db_rollback(struct db *db);

/* Runs statement id with n integer parameters (in order) in a write
 * transaction of its own; *changes (when not NULL) gets the rows it
 * changed. For the one-statement writes of expiry and tidying. */
enum bo_status db_write_ints(struct db *db, enum stmt id, int n,
    const int64_t *params, int64_t *changes);

/* Runs a one-row count(*) statement with n integer parameters; *rc is
 * SQLITE_DONE on success, else the error. */
int64_t db_count(struct db *db, enum stmt id, int n, const int64_t *params,
    int *rc);

/* Maps an SQLite result code to a status, logging unexpected errors:
 * BUSY/LOCKED → BO_BUSY, a constraint → BO_CONFLICT, FULL, IOERR, NOMEM,
 * CANTOPEN, READONLY → BO_UNAVAILABLE (and the connection is renewed at
 * the next begin), anything else → BO_ERROR. */
enum bo_status db_status(struct db *db, int rc, const char *where);

/* Convenience binders; out-of-range indexes are programming errors. Text
 * and blobs are not copied (SQLITE_STATIC: binding cannot run out of
 * memory): they must stay valid until db_reset() of the statement. */
void db_bind_int(sqlite3_stmt *st, int idx, int64_t v);
void db_bind_text(sqlite3_stmt *st, int idx, const char *s);
void db_bind_blob(sqlite3_stmt *st, int idx, const void *p, int len);
/* Column text as a non-NULL C string (empty for NULL), owned by SQLite
 * until the next step/reset. */
const char *db_col_text(sqlite3_stmt *st, int col);

#endif
