/*
 * status.h — what a core/ operation can answer.
 *
 * One closed set for every operation. What a status means to a buyer
 * depends on the operation (BO_LIMIT is max_holds for a hold, a full
 * balance for a charge): cgi-bin/outcome.c has one table per operation,
 * status → HTTP status, API error code and message, shared by its page
 * and its API call. A status means one thing within one operation: where
 * a caller would have to guess which of two causes it was, they are two
 * statuses.
 */
#ifndef BOXOFFICE_STATUS_H
#define BOXOFFICE_STATUS_H

enum bo_status {
	BO_OK = 0,
	BO_NOT_FOUND,     /* no such row, or not visible to this buyer */
	BO_INVALID,       /* bad input: nothing changed */
	BO_CONFLICT,      /* a unique thing is taken (email, seat) */
	BO_KEY_REUSED,    /* a one-time key came back with another request (a
	                   * charge's key with another amount): nothing done */
	BO_FORBIDDEN,     /* exists, but not this buyer's */
	BO_THROTTLED,     /* too many attempts; try later */
	BO_LIMIT,         /* a per-buyer limit is reached (max_holds, the
	                   * largest balance) */
	BO_GONE,          /* it lapsed or was given up (an expired hold) */
	BO_INSUFFICIENT,  /* not enough balance */
	BO_BUSY,          /* the database stayed locked past busy_timeout */
	BO_UNAVAILABLE,   /* storage trouble (full disk, I/O error, out of
	                   * memory): rolled back, retry later */
	BO_ERROR,         /* database or system error: logged, rolled back */
	BO__MAX
};

#endif
