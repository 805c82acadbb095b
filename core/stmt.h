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
	/* queue */
	STMT_QUEUE_IS_ACTIVE,
	STMT_QUEUE_DONE,
	/* holds */
	STMT_HOLD_SEAT_FOR,
	STMT_HOLD_COUNT_LIVE,
	STMT_HOLD_LAPSE_SEAT,
	STMT_HOLD_INSERT,
	STMT_HOLD_GET,
	STMT_HOLD_RELEASE,
	STMT_HOLD_EXPIRE_ALL,
	STMT_HOLD_MINE,
	/* money */
	STMT_USER_BALANCE,
	STMT_LEDGER_INSERT,
	STMT_LEDGER_BY_KEY,
	STMT_LEDGER_GET,
	STMT_LEDGER_LIST,
	STMT_PAYMENT_INSERT,
	STMT_HOLD_MARK_PAID,
	STMT_BOOKINGS,
	STMT__MAX
};

/* The SQL text of id; static storage. */
const char *stmt_sql(enum stmt id);

#endif
