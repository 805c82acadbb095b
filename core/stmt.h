/*
 * stmt.h — every SQL statement boxoffice runs, by name.
 *
 * The text lives in stmt.c, the one file where SQL is written down; the
 * rest of core/ asks db_stmt() for a prepared statement by this enum.
 */
#ifndef BOXOFFICE_STMT_H
#define BOXOFFICE_STMT_H

enum stmt {
	/* settings */
	STMT_SETTING_GET,
	STMT_SETTING_SET,
	STMT_SETTING_ALL,
	/* accounts and sessions */
	STMT_USER_INSERT,
	STMT_USER_BY_EMAIL,
	STMT_USER_BY_ID,
	STMT_SESSION_INSERT,
	STMT_SESSION_LOOKUP,
	STMT_SESSION_DELETE,
	STMT_SESSION_PURGE,
	STMT_LOGIN_FAILURE_GET,
	STMT_LOGIN_FAILURE_BUMP,
	STMT_LOGIN_FAILURE_CLEAR,
	STMT_LOGIN_FAILURE_PURGE,
	/* catalogue */
	STMT_CONCERT_INSERT,
	STMT_PERFORMANCE_INSERT,
	STMT_SEAT_INSERT,
	STMT_PERFORMANCE_REFRESH,
	STMT_CONCERT_LIST,
	STMT_CONCERT_GET,
	STMT_PERFORMANCE_LIST,
	STMT_PERFORMANCE_GET,
	STMT_SEAT_MAP,
	STMT__MAX
};

/* The SQL text of id; static storage. */
const char *stmt_sql(enum stmt id);

#endif
