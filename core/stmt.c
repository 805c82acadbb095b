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

#define QUEUE_COLUMNS                                                         \
	"id, concert_id, user_id, token, state, joined_at, last_seen,"        \
	" coalesce(admitted_at, 0), coalesce(expires_at, 0)"

static const char *const sql[STMT__MAX] = {
	[STMT_BEGIN_READ] = "BEGIN",
	[STMT_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",

	/* The queue. A ticket row: id, concert_id, user_id, token, state,
	 * joined_at, last_seen, admitted_at, expires_at. */
	[STMT_QUEUE_BY_USER] =
	    "SELECT " QUEUE_COLUMNS " FROM queue_ticket"
	    " WHERE user_id = ?2 AND concert_id = ?1 ORDER BY id DESC LIMIT 1",
	[STMT_QUEUE_BY_TOKEN] =
	    "SELECT " QUEUE_COLUMNS " FROM queue_ticket WHERE token = ?1",
	/* ?1 concert, ?2 my id, ?3 seen after this (now - abandon_after) */
	[STMT_QUEUE_AHEAD] =
	    "SELECT count(*) FROM queue_ticket WHERE concert_id = ?1"
	    " AND state = 'WAITING' AND id < ?2 AND last_seen > ?3",
	[STMT_QUEUE_ACTIVE_COUNT] =
	    "SELECT count(*) FROM queue_ticket WHERE concert_id = ?1"
	    " AND state = 'ACTIVE' AND expires_at > ?2",
	/* ?1 concert, ?2 since: admissions in the window, and the first */
	[STMT_QUEUE_RATE] =
	    "SELECT count(*), min(admitted_at) FROM queue_ticket"
	    " WHERE concert_id = ?1 AND admitted_at > ?2",
	[STMT_QUEUE_INSERT] =
	    "INSERT INTO queue_ticket(concert_id, user_id, token, state, joined_at,"
	    " last_seen) VALUES (?1, ?2, ?3, 'WAITING', ?4, ?4)",
	[STMT_QUEUE_EXPIRE_ACTIVE] =
	    "UPDATE queue_ticket SET state = 'EXPIRED', ended_at = expires_at"
	    " WHERE concert_id = ?1 AND state = 'ACTIVE' AND expires_at <= ?2",
	/* ?2 the abandon line (now - abandon_after), ?3 abandon_after */
	[STMT_QUEUE_EXPIRE_WAITING] =
	    "UPDATE queue_ticket SET state = 'EXPIRED', ended_at = last_seen + ?3"
	    " WHERE concert_id = ?1 AND state = 'WAITING' AND last_seen <= ?2",
	/* ?1 concert, ?2 now, ?3 active_ttl, ?4 free slots */
	[STMT_QUEUE_ADMIT] =
	    "UPDATE queue_ticket SET state = 'ACTIVE', admitted_at = ?2,"
	    " expires_at = ?2 + ?3 WHERE id IN (SELECT id FROM queue_ticket"
	    " WHERE concert_id = ?1 AND state = 'WAITING' ORDER BY id LIMIT ?4)",
	/* ?1 ticket, ?2 now, ?3 the abandon line: a dropped ticket stays dropped */
	[STMT_QUEUE_SEEN] =
	    "UPDATE queue_ticket SET last_seen = ?2 WHERE id = ?1"
	    " AND state = 'WAITING' AND last_seen > ?3",
	[STMT_QUEUE_LEAVE] =
	    "UPDATE queue_ticket SET state = 'EXPIRED', ended_at = ?3"
	    " WHERE id = ?1 AND user_id = ?2 AND state IN ('WAITING','ACTIVE')",
	[STMT_QUEUE_CONCERTS_LIVE] =
	    "SELECT DISTINCT concert_id FROM queue_ticket"
	    " WHERE state IN ('WAITING','ACTIVE')",

	/* Leaving the queue on purpose gives back the buyer's live holds of
	 * the concert: ?1 concert, ?2 user, ?3 now */
	[STMT_HOLD_RELEASE_CONCERT] =
	    "UPDATE hold SET state = 'RELEASED' WHERE user_id = ?2"
	    " AND state = 'HELD' AND expires_at > ?3 AND performance_id IN"
	    " (SELECT id FROM performance WHERE concert_id = ?1)",

	/* ?1 concert, ?2 seen after this: the live waiting line, in order */
	[STMT_QUEUE_LINE] =
	    "SELECT id FROM queue_ticket WHERE concert_id = ?1"
	    " AND state = 'WAITING' AND last_seen > ?2 ORDER BY id",
};

const char *
stmt_sql(enum stmt id)
{
	assert(id < STMT__MAX && sql[id] != NULL);
	return sql[id];
}
