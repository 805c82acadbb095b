/*
 * db.c — the SQLite connection, its rules and its migrations (see db.h).
 *
 * Migrations are the files schema/NNN_*.sql, embedded into the binary at
 * build time (migrations.S), applied in order and counted by
 * PRAGMA user_version.
 */
#include "db.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "faultvfs.h"
#include "log.h"
#include "queue_token.h"
#include "sql.h"
#include "ticket_code.h"

/* From migrations.S: NUL-terminated SQL texts, oldest first. */
extern const char schema_001[], schema_002[], schema_003[], schema_004[],
    schema_005[], schema_006[], schema_007[], schema_008[], schema_009[],
    schema_010[], schema_011[], schema_012[], schema_013[], schema_014[],
    schema_015[], schema_016[], schema_017[], schema_018[], schema_019[],
    schema_020[];

static const char *const migrations[] = {
	schema_001,
	schema_002,
	schema_003,
	schema_004,
	schema_005,
	schema_006,
	schema_007,
	schema_008,
	schema_009,
	schema_010,
	schema_011,
	schema_012,
	schema_013,
	schema_014,
	schema_015,
	schema_016,
	schema_017,
	schema_018,
	schema_019,
	schema_020,
};
#define MIGRATIONS_N ((int)(sizeof migrations / sizeof migrations[0]))

#define BUSY_TIMEOUT_MS 5000

static int
exec_sql(sqlite3 *handle, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(handle, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		core_log(LOG_ERROR, "sqlite: %s: %s",
		    err ? err : sqlite3_errstr(rc), sql);
		sqlite3_free(err);
	}
	return rc;
}

/*
 * Inside db_begin_write … db_commit only db_commit's COMMIT may commit. A
 * statement that would commit by itself there runs because SQLite already
 * rolled the whole transaction back after an error (I/O, full disk, out of
 * memory) that its caller did not stop at: it would make half of the
 * operation durable. Refusing it turns the statement into
 * SQLITE_CONSTRAINT_COMMITHOOK, which db_status() reports as an error.
 */
static int
commit_guard(void *arg)
{
	const struct db *db = arg;

	return db->writing && !db->committing;
}

static int
version_of(sqlite3 *handle)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(handle, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * The transaction statements are prepared with the connection, not on
 * first use as the others (sql.h): preparing is where SQLite allocates
 * most, and a ROLLBACK or COMMIT that could not be prepared for want of
 * memory would leave a transaction open. They do not read the schema, so
 * a database at any version has them.
 */
static const char *const tx_sql[DB_TX__MAX] = {
	[DB_TX_BEGIN_READ] = "BEGIN",
	/* Waits for the write lock up front: never an upgrade mid-way. */
	[DB_TX_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[DB_TX_COMMIT] = "COMMIT",
	[DB_TX_ROLLBACK] = "ROLLBACK",
};

/* Prepares the transaction statements into tx; 0 (logged, nothing kept)
 * on failure. */
static int
prepare_tx(sqlite3 *handle, sqlite3_stmt **tx)
{
	for (int i = 0; i < DB_TX__MAX; i++) {
		int rc = sqlite3_prepare_v3(handle, tx_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &tx[i], NULL);

		if (rc != SQLITE_OK) {
			core_log(LOG_ERROR, "prepare %s: %s", tx_sql[i],
			    sqlite3_errmsg(handle));
			for (int j = 0; j <= i; j++) {
				sqlite3_finalize(tx[j]);
				tx[j] = NULL;
			}
			return 0;
		}
	}
	return 1;
}

/*
 * new_ticket_code(): a fresh ticket code from libsodium, for the schema's
 * own trigger that gives every paid seat its ticket (011_operator.sql).
 * Registered on every connection, before migrations run. INNOCUOUS as
 * SQLite's random() is: it reads nothing and changes nothing, so the
 * trigger may call it with trusted_schema off.
 */
static void
sql_new_ticket_code(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char code[TICKET_CODE_SIZE];

	(void)argc, (void)argv;
	ticket_code_new(code);
	sqlite3_result_text(ctx, code, TICKET_CODE_LEN, SQLITE_TRANSIENT);
}

/* A new connection to path with the house rules and its transaction
 * statements (into tx); NULL (logged) on failure. */
static sqlite3 *
connect_to(struct db *db, const char *path, int flags, sqlite3_stmt **tx)
{
	static const char *const pragmas =
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA temp_store = MEMORY;";
	sqlite3 *handle = NULL;
	int rc = sqlite3_open_v2(path, &handle, flags, NULL);

	if (rc != SQLITE_OK) {
		core_log(LOG_ERROR, "cannot open %s: %s", path,
		    handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
		sqlite3_close(handle);
		return NULL;
	}
	sqlite3_extended_result_codes(handle, 1);
	sqlite3_busy_timeout(handle, BUSY_TIMEOUT_MS);
	sqlite3_db_config(handle, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(handle, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_commit_hook(handle, commit_guard, db);
	if (sqlite3_create_function(handle, "new_ticket_code", 0,
	    SQLITE_UTF8 | SQLITE_INNOCUOUS, NULL, sql_new_ticket_code, NULL,
	    NULL) != SQLITE_OK) {
		core_log(LOG_ERROR, "new_ticket_code: %s", sqlite3_errmsg(handle));
		sqlite3_close(handle);
		return NULL;
	}
	if (exec_sql(handle, pragmas) != SQLITE_OK || !prepare_tx(handle, tx)) {
		sqlite3_close(handle);
		return NULL;
	}
	return handle;
}

struct db *
db_open(const char *path, int create)
{
	struct db *db = xmalloc(sizeof *db);

	memset(db, 0, sizeof *db);
	faults_setup(path); /* the fault build's failing VFS and allocator */
	db->path = strcpy(xmalloc(strlen(path) + 1), path);
	db->flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	if ((db->handle = connect_to(db, path, db->flags, db->tx)) == NULL) {
		db_close(db);
		return NULL;
	}
	return db;
}

void
db_recover(struct db *db)
{
	sqlite3_stmt *tx[DB_TX__MAX] = { NULL };
	sqlite3 *fresh;

	if (!db->suspect || !sqlite3_get_autocommit(db->handle))
		return; /* never under an open transaction */
	for (sqlite3_stmt *st = sqlite3_next_stmt(db->handle, NULL); st != NULL;
	    st = sqlite3_next_stmt(db->handle, st))
		if (sqlite3_stmt_busy(st))
			return; /* nor under a caller's running statement */
	if ((fresh = connect_to(db, db->path, db->flags, tx)) == NULL)
		return;
	for (int i = 0; i < DB_TX__MAX; i++) {
		sqlite3_finalize(db->tx[i]);
		db->tx[i] = tx[i];
	}
	sql_finalize_all(db); /* prepared again on use, on the new one */
	sqlite3_close(db->handle);
	db->handle = fresh;
	db->suspect = 0;
	core_log(LOG_WARN, "database connection opened again after "
	    "an error");
}

void
db_use(struct db *db)
{
	(void)db;
	faults_poll(); /* the fault build: arm or clear before each statement */
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	for (int i = 0; i < DB_TX__MAX; i++)
		sqlite3_finalize(db->tx[i]);
	sql_finalize_all(db);
	sqlite3_close(db->handle);
	free(db->path);
	free(db);
}

int
db_schema_latest(void)
{
	return MIGRATIONS_N;
}

int
db_schema_version(struct db *db)
{
	return version_of(db->handle);
}

enum bo_status
db_migrate(struct db *db)
{
	enum bo_status s;
	int v;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	v = db_schema_version(db);
	if (v < 0 || v > MIGRATIONS_N) {
		core_log(LOG_ERROR, "schema version %d is not one this "
		    "binary knows (latest %d)", v, MIGRATIONS_N);
		db_rollback(db);
		return BO_ERROR;
	}
	for (; v < MIGRATIONS_N; v++) {
		char pragma[64];

		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (exec_sql(db->handle, migrations[v]) != SQLITE_OK ||
		    exec_sql(db->handle, pragma) != SQLITE_OK) {
			db_rollback(db);
			return BO_ERROR;
		}
	}
	/* The queue tickets' signing key is made with the schema (a secret
	 * from libsodium, which SQL cannot draw). */
	if (v >= 13 && (s = queue_key_ensure(db, time(NULL))) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
db_status(struct db *db, int rc, const char *where)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return BO_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		core_log(LOG_WARN, "%s: database busy", where);
		return BO_BUSY;
	case SQLITE_CONSTRAINT:
		if (rc != SQLITE_CONSTRAINT_COMMITHOOK)
			return BO_CONFLICT; /* a UNIQUE or CHECK said no */
		core_log(LOG_ERROR, "%s: a write after its transaction "
		    "was rolled back by an earlier error: refused", where);
		return BO_ERROR;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		/* Storage trouble, not a bug: the transaction is rolled back
		 * (db_rollback), the answer is "try again later", and
		 * db_recover() will renew the connection. */
		core_log(LOG_ERROR, "%s: %s (%d)", where,
		    sqlite3_errstr(rc), rc);
		db->suspect = 1;
		return BO_UNAVAILABLE;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		db->suspect = 1;
		/* FALLTHROUGH */
	default:
		core_log(LOG_ERROR, "%s: %s (%d)", where,
		    sqlite3_errmsg(db->handle), rc);
		return BO_ERROR;
	}
}

enum bo_status
db_tidy(struct db *db, struct db_tidy_result *out)
{
	int rc;

	out->complete = 0;
	out->wal_frames = out->copied = -1;
	/* Busy (another connection writing) only skips the statistics. */
	rc = sqlite3_exec(db->handle, "PRAGMA optimize", NULL, NULL, NULL);
	if ((rc & 0xff) != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
	    (rc & 0xff) != SQLITE_LOCKED)
		return db_status(db, rc, "PRAGMA optimize");
	sqlite3_busy_timeout(db->handle, DB_TIDY_WAIT_MS);
	rc = sqlite3_wal_checkpoint_v2(db->handle, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, &out->wal_frames, &out->copied);
	sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
	switch (rc & 0xff) {
	case SQLITE_OK:
		out->complete = 1;
		return BO_OK;
	case SQLITE_BUSY: /* readers (or a writer) still on the WAL */
		return BO_OK;
	default:
		return db_status(db, rc, "checkpoint");
	}
}

/* Runs one of the transaction statements. */
static int
step_once(struct db *db, enum db_tx id)
{
	sqlite3_stmt *st = db->tx[id];
	int rc;

	assert(id < DB_TX__MAX && st != NULL);
	db_use(db);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc;
}

enum bo_status
db_begin_write(struct db *db)
{
	enum bo_status s = db_status(db, step_once(db, DB_TX_BEGIN_WRITE),
	    "begin");

	db->writing = s == BO_OK;
	return s;
}

enum bo_status
db_begin_read(struct db *db)
{
	return db_status(db, step_once(db, DB_TX_BEGIN_READ), "begin");
}

enum bo_status
db_commit(struct db *db)
{
	enum bo_status s;

	if (db->writing && sqlite3_get_autocommit(db->handle)) {
		/* SQLite rolled it back after an error its caller missed. */
		core_log(LOG_ERROR, "commit: the transaction was already "
		    "rolled back by an earlier error");
		db->writing = 0;
		return BO_ERROR;
	}
	db->committing = 1;
	s = db_status(db, step_once(db, DB_TX_COMMIT), "commit");
	db->committing = 0;
	if (s != BO_OK)
		db_rollback(db);
	db->writing = 0;
	return s;
}

void
db_rollback(struct db *db)
{
	db->writing = 0;
	/* After some errors SQLite has already rolled back the whole
	 * transaction; only roll back what is still open. */
	if (!sqlite3_get_autocommit(db->handle))
		step_once(db, DB_TX_ROLLBACK);
}

int
db_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->handle);
}
