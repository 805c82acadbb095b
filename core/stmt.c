/*
 * stmt.c — the SQL of boxoffice, in one place (see stmt.h).
 *
 * Every statement takes bound parameters only; no SQL text is ever built
 * from input. "Live" holds are PAID ones and HELD ones whose expires_at is
 * still ahead of ?now: an expired hold is free even before boxoffice-expire
 * marks it (lazy expiry). The `state IN ('HELD','PAID')` and `state IN
 * ('WAITING','ACTIVE')` terms, redundant for the result, let SQLite use
 * the partial UNIQUE indexes (one row to look at) instead of a range of
 * every live hold or ticket: plans that hold without ANALYZE statistics.
 */
#include <assert.h>
#include <stddef.h>

#include "stmt.h"

static const char *const sql[STMT__MAX] = {
	[STMT_BEGIN_READ] = "BEGIN",
	[STMT_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
};

const char *
stmt_sql(enum stmt id)
{
	assert(id < STMT__MAX && sql[id] != NULL);
	return sql[id];
}
