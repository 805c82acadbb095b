/*
 * sql.c — statements at their point of use, bound by name (see sql.h).
 */
#include "sql.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"

/* Slots handed out so far, for every connection of this process. */
static int slots_used;

static void
die(const struct sql *q, const char *what, const char *detail)
{
	fprintf(stderr, "boxoffice: sql: %s%s%s\n  in: %s\n", what,
	    detail ? ": " : "", detail ? detail : "", q->text);
	abort();
}

/* A prepare that failed for a reason outside the SQL: memory, storage, a
 * schema locked or read wrong. */
static int
trouble(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM: case SQLITE_IOERR: case SQLITE_FULL:
	case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_CANTOPEN:
	case SQLITE_READONLY: case SQLITE_CORRUPT: case SQLITE_NOTADB:
		return 1;
	default:
		return 0;
	}
}

struct sql_stmt *
sql_prepare(struct db *db, struct sql *q)
{
	struct sql_stmt *s;
	int rc, nparam;

	assert(db != NULL && q != NULL && q->text != NULL);
	db_use(db);
	if (q->slot == 0)
		q->slot = ++slots_used;
	if (q->slot > db->sql_cap) {
		int cap = db->sql_cap ? db->sql_cap : 64;

		while (cap < q->slot)
			cap *= 2;
		db->sql_stmts = xrealloc(db->sql_stmts, cap * sizeof *db->sql_stmts);
		memset(db->sql_stmts + db->sql_cap, 0,
		    (cap - db->sql_cap) * sizeof *db->sql_stmts);
		db->sql_cap = cap;
	}
	if ((s = db->sql_stmts[q->slot - 1]) != NULL && s->st != NULL)
		return s;
	if (s == NULL) {
		s = xmalloc(sizeof *s);
		db->sql_stmts[q->slot - 1] = s;
	}
	memset(s, 0, sizeof *s);
	s->q = q;
	rc = sqlite3_prepare_v3(db->handle, q->text, -1,
	    SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	if (rc != SQLITE_OK && trouble(rc)) {
		/* Out of memory, storage, a locked schema: not the SQL's
		 * fault. Its step answers it; the next use prepares again. */
		s->st = NULL;
		s->rc = rc;
		return s;
	}
	if (rc != SQLITE_OK)
		die(q, "does not prepare", sqlite3_errmsg(db->handle));
	if (sqlite3_column_count(s->st) != q->ncol) {
		char n[64];

		snprintf(n, sizeof n, "%d columns, the code reads %d",
		    sqlite3_column_count(s->st), q->ncol);
		die(q, "the columns do not match", n);
	}
	nparam = sqlite3_bind_parameter_count(s->st);
	if (nparam > 64)
		die(q, "more than 64 parameters", NULL);
	s->all = nparam == 64 ? UINT64_MAX : (UINT64_C(1) << nparam) - 1;
	return s;
}

void
sql_finalize_all(struct db *db)
{
	for (int i = 0; i < db->sql_cap; i++) {
		if (db->sql_stmts[i] != NULL) {
			sqlite3_finalize(db->sql_stmts[i]->st); /* NULL: a no-op */
			free(db->sql_stmts[i]);
		}
	}
	free(db->sql_stmts);
	db->sql_stmts = NULL;
	db->sql_cap = 0;
}

void
sql_reset(struct sql_stmt *st)
{
	if (st->st == NULL)
		return; /* never prepared: rc stays, for the next use */
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->bound = 0;
	st->rc = SQLITE_OK;
}

/* The index of :name, marked bound; an unknown name is a bug. */
static int
param(struct sql_stmt *st, const char *name)
{
	int i = sqlite3_bind_parameter_index(st->st, name);

	if (i == 0)
		die(st->q, "no such parameter", name);
	st->bound |= UINT64_C(1) << (i - 1);
	return i;
}

static void
bound(struct sql_stmt *st, int rc, const char *name)
{
	/* SQLite forgets a bind that failed for want of memory (the
	 * parameter stays NULL): the step must not run without it. */
	if (rc == SQLITE_NOMEM || rc == SQLITE_TOOBIG) {
		if (st->rc == SQLITE_OK)
			st->rc = rc;
	} else if (rc != SQLITE_OK) {
		die(st->q, "cannot bind", name);
	}
}

void
sql_bind_int(struct sql_stmt *st, const char *name, int64_t v)
{
	if (st->st != NULL)
		bound(st, sqlite3_bind_int64(st->st, param(st, name), v), name);
}

void
sql_bind_text(struct sql_stmt *st, const char *name, const char *s)
{
	assert(s != NULL);
	if (st->st != NULL)
		bound(st, sqlite3_bind_text(st->st, param(st, name), s, -1,
		    SQLITE_TRANSIENT), name);
}

void
sql_bind_blob(struct sql_stmt *st, const char *name, const void *p, int len)
{
	assert(p != NULL && len >= 0);
	if (st->st != NULL)
		bound(st, sqlite3_bind_blob(st->st, param(st, name), p, len,
		    SQLITE_TRANSIENT), name);
}

void
sql_bind_null(struct sql_stmt *st, const char *name)
{
	if (st->st != NULL)
		bound(st, sqlite3_bind_null(st->st, param(st, name)), name);
}

int
sql_step(struct sql_stmt *st)
{
	if (st->rc != SQLITE_OK)
		return st->rc; /* not prepared, or a bind was lost */
	if (st->bound != st->all && sqlite3_stmt_busy(st->st) == 0) {
		for (int i = 1; i <= sqlite3_bind_parameter_count(st->st); i++)
			if (!(st->bound & (UINT64_C(1) << (i - 1))))
				die(st->q, "parameter not bound",
				    sqlite3_bind_parameter_name(st->st, i));
	}
	return sqlite3_step(st->st);
}

int64_t
sql_int(struct sql_stmt *st, int col)
{
	assert(col >= 0 && col < st->q->ncol);
	return sqlite3_column_int64(st->st, col);
}

const char *
sql_text(struct sql_stmt *st, int col)
{
	const unsigned char *t;

	assert(col >= 0 && col < st->q->ncol);
	t = sqlite3_column_text(st->st, col);
	return t ? (const char *)t : "";
}

const void *
sql_blob(struct sql_stmt *st, int col, int *len)
{
	const void *p;

	assert(col >= 0 && col < st->q->ncol);
	p = sqlite3_column_blob(st->st, col);
	*len = sqlite3_column_bytes(st->st, col);
	return p;
}

int
sql_is_null(struct sql_stmt *st, int col)
{
	assert(col >= 0 && col < st->q->ncol);
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

enum bo_status
sql_run(struct db *db, struct sql_stmt *st, int64_t *changes)
{
	int rc;

	while ((rc = sql_step(st)) == SQLITE_ROW)
		;
	if (changes != NULL)
		*changes = sqlite3_changes64(db->handle);
	sql_reset(st);
	return db_status(db, rc, st->q->text);
}

enum bo_status
sql_one_int(struct db *db, struct sql_stmt *st, int64_t *out)
{
	int64_t v = 0;
	int rc, rows = 0;

	assert(st->q->ncol >= 1);
	/* Stepped to its end, as sql_run does: an INSERT … RETURNING hands
	 * out its row first, and what is decided after it (the commit of a
	 * write outside its transaction, refused by db.c's commit guard)
	 * shows only in the step that ends it. */
	while ((rc = sql_step(st)) == SQLITE_ROW)
		if (rows++ == 0)
			v = sqlite3_column_int64(st->st, 0);
	sql_reset(st);
	if (rc == SQLITE_DONE && rows > 0)
		*out = v;
	return db_status(db, rc, st->q->text);
}

enum bo_status
sql_end(struct db *db, enum bo_status s)
{
	if (s != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}
