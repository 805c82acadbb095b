/*
 * sql.h — a statement written where it is used, prepared once per
 * connection, bound and read by name.
 *
 * Fossil keeps each statement at its point of use and binds by name; this
 * is the same in our terms. A core function declares its statement as a
 * static struct sql beside the C that runs it, with the columns it reads
 * as an enum right above the SQL:
 *
 *	enum { SEAT_PRICE, SEAT_CONCERT, SEAT__COLS };
 *	static struct sql q = SQL(SEAT__COLS,
 *	    "SELECT s.price, p.concert_id FROM seat s"
 *	    " JOIN performance p ON p.id = s.performance_id"
 *	    " WHERE s.id = :seat");
 *	struct sql_stmt *st = sql_prepare(db, &q);
 *
 *	sql_bind_int(st, ":seat", seat);
 *	if ((rc = sql_step(st)) == SQLITE_ROW)
 *		price = sql_int(st, SEAT_PRICE);
 *	sql_reset(st);
 *
 * What is checked, so that an edit cannot silently misalign C and SQL:
 *  - a parameter name the SQL does not have aborts (sql_bind_*), as does
 *    a parameter left unbound when the statement runs (sql_step);
 *  - the number of result columns must equal the enum's count (checked
 *    when the statement is prepared: the first test that runs it fails).
 *
 * The prepared statement belongs to the connection (struct db), not to
 * the process: the tests open and close many connections in one process.
 * struct sql only remembers which slot of every connection's cache it
 * uses. Workers are single-threaded; so is the slot numbering.
 */
#ifndef BOXOFFICE_SQL_H
#define BOXOFFICE_SQL_H

#include <sqlite3.h>
#include <stdint.h>

#include "status.h"

struct db;

struct sql {
	const char *text;  /* the SQL: bound parameters only, never input */
	int ncol;          /* result columns the caller reads by enum */
	int slot;          /* 1 + its place in each connection's cache; 0: new */
};

#define SQL(ncol, text) { (text), (ncol), 0 }

/* A statement prepared on one connection, with what has been bound. */
struct sql_stmt {
	sqlite3_stmt *st;  /* NULL: it could not be prepared (rc says why) */
	const struct sql *q;
	uint64_t bound;    /* bit i-1: parameter i is bound */
	uint64_t all;      /* every parameter's bit */
	int rc;            /* a prepare or a bind that failed for want of
	                    * memory or storage: what sql_step answers */
};

/* The prepared statement for q on this connection, prepared on first use
 * (SQL that does not prepare, or whose column count is not q->ncol, is a
 * bug: it aborts with SQLite's message). A prepare that fails for want of
 * memory or storage (SQLITE_NOMEM, IOERR, BUSY reading the schema…) is
 * not a bug: the statement's sql_step answers that error, and the next
 * sql_prepare tries again. Owned by db; reset it with sql_reset() when
 * done. */
struct sql_stmt *sql_prepare(struct db *db, struct sql *q);
/* For db_close(): finalizes every statement of the connection. */
void sql_finalize_all(struct db *db);
/* Resets st and forgets its bindings (a stepped, unreset statement keeps
 * its read transaction open and pins the WAL). */
void sql_reset(struct sql_stmt *st);

/* Bind by name (":name"); a name the SQL does not have aborts. Text and
 * blobs are copied by SQLite; a copy that fails for want of memory makes
 * the next sql_step answer SQLITE_NOMEM (it never runs without it). */
void sql_bind_int(struct sql_stmt *st, const char *name, int64_t v);
void sql_bind_text(struct sql_stmt *st, const char *name, const char *s);
void sql_bind_blob(struct sql_stmt *st, const char *name, const void *p,
    int len);
void sql_bind_null(struct sql_stmt *st, const char *name);

/* One step; every parameter must have been bound (aborts otherwise).
 * SQLITE_ROW, SQLITE_DONE or the error. */
int sql_step(struct sql_stmt *st);

/* Column readers, by the enum above the SQL. Text is never NULL (empty
 * for NULL); text and blobs are owned by SQLite until the next step or
 * reset. */
int64_t sql_int(struct sql_stmt *st, int col);
const char *sql_text(struct sql_stmt *st, int col);
const void *sql_blob(struct sql_stmt *st, int col, int *len);
int sql_is_null(struct sql_stmt *st, int col);

/* Runs a statement that returns no rows to its end, resets it, and maps
 * the result to a status (logging an unexpected error with the SQL).
 * *changes, when not NULL, gets the rows it changed. */
enum bo_status sql_run(struct db *db, struct sql_stmt *st, int64_t *changes);

/* Runs a statement that returns at most one row whose first column is an
 * integer (a count, an id, an INSERT's RETURNING id) to its end; *out is
 * left alone when there is no row or the statement failed. Resets st. */
enum bo_status sql_one_int(struct db *db, struct sql_stmt *st, int64_t *out);

/* The end of every write transaction: commits when s is BO_OK (returning
 * the commit's own status), otherwise rolls back and returns s. */
enum bo_status sql_end(struct db *db, enum bo_status s);

#endif
