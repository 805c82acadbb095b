/*
 * stmt.h — every SQL statement boxoffice runs, by name.
 *
 * The text lives in stmt.c, the one file where SQL is written down; the
 * rest of core/ asks db_stmt() for a prepared statement by this enum.
 */
#ifndef BOXOFFICE_STMT_H
#define BOXOFFICE_STMT_H

enum stmt {
	/* transactions: prepared once, never parsed again */
	STMT_BEGIN_READ,
	STMT_BEGIN_WRITE,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT__MAX
};

/* The SQL text of id; static storage. */
const char *stmt_sql(enum stmt id);

#endif
