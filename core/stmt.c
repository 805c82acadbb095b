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
	/* ?1 concert, ?2 user, ?3 now */
	[STMT_QUEUE_IS_ACTIVE] =
	    "SELECT count(*) FROM queue_ticket WHERE concert_id = ?1"
	    " AND user_id = ?2 AND state IN ('WAITING','ACTIVE')"
	    " AND state = 'ACTIVE' AND expires_at > ?3",
	/* The turn ends when the buyer has paid and holds nothing more of
	 * the concert: ?1 concert, ?2 user, ?3 now */
	[STMT_QUEUE_DONE] =
	    "UPDATE queue_ticket SET state = 'DONE', ended_at = ?3"
	    " WHERE concert_id = ?1 AND user_id = ?2 AND state IN ('WAITING','ACTIVE')"
	    " AND state = 'ACTIVE' AND expires_at > ?3 AND NOT EXISTS (SELECT 1 FROM hold h JOIN performance p"
	    " ON p.id = h.performance_id WHERE h.user_id = ?2 AND p.concert_id = ?1"
	    " AND h.state = 'HELD' AND h.expires_at > ?3)",

	/* ?1 seat, ?2 performance */
	[STMT_HOLD_SEAT_FOR] =
	    "SELECT s.price, p.concert_id, p.starts_at, p.sale_opens_at,"
	    " p.sale_closes_at FROM seat s JOIN performance p ON p.id = s.performance_id"
	    " WHERE s.id = ?1 AND s.performance_id = ?2",
	/* ?1 performance, ?2 user, ?3 now */
	[STMT_HOLD_COUNT_LIVE] =
	    "SELECT count(*) FROM hold WHERE user_id = ?2 AND state = 'HELD'"
	    " AND performance_id = ?1 AND expires_at > ?3",
	/* A lapsed hold leaves the unique index before the seat is held again. */
	[STMT_HOLD_LAPSE_SEAT] =
	    "UPDATE hold SET state = 'EXPIRED' WHERE seat_id = ?1"
	    " AND state IN ('HELD','PAID') AND state = 'HELD' AND expires_at <= ?2",
	[STMT_HOLD_INSERT] =
	    "INSERT INTO hold(seat_id, performance_id, user_id, state, price,"
	    " created_at, expires_at) VALUES (?1, ?2, ?3, 'HELD', ?4, ?5, ?6)",
	[STMT_HOLD_GET] =
	    "SELECT h.id, h.user_id, h.state, h.price, h.created_at, h.expires_at,"
	    " s.section, s.row_label, s.number, p.id, p.starts_at, c.id, c.title,"
	    " c.venue, coalesce(pay.id, 0), coalesce(pay.created_at, 0)"
	    " FROM hold h JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = h.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " LEFT JOIN payment pay ON pay.hold_id = h.id WHERE h.id = ?1",
	/* ?1 hold, ?2 user, ?3 now */
	[STMT_HOLD_RELEASE] =
	    "UPDATE hold SET state = 'RELEASED' WHERE id = ?1 AND user_id = ?2"
	    " AND state = 'HELD' AND expires_at > ?3",
	[STMT_HOLD_EXPIRE_ALL] =
	    "UPDATE hold SET state = 'EXPIRED' WHERE state = 'HELD'"
	    " AND expires_at <= ?1",
	/* ?1 user, ?2 performance, ?3 now: the buyer's live holds there */
	[STMT_HOLD_MINE] =
	    "SELECT h.id, s.section, s.row_label, s.number, h.price, h.expires_at"
	    " FROM hold h JOIN seat s ON s.id = h.seat_id WHERE h.user_id = ?1"
	    " AND h.performance_id = ?2 AND h.state = 'HELD' AND h.expires_at > ?3"
	    " ORDER BY h.id",
	/* Leaving the queue on purpose gives back the buyer's live holds of
	 * the concert: ?1 concert, ?2 user, ?3 now */
	[STMT_HOLD_RELEASE_CONCERT] =
	    "UPDATE hold SET state = 'RELEASED' WHERE user_id = ?2"
	    " AND state = 'HELD' AND expires_at > ?3 AND performance_id IN"
	    " (SELECT id FROM performance WHERE concert_id = ?1)",

	[STMT_USER_BALANCE] = "SELECT balance FROM user WHERE id = ?1",
	[STMT_LEDGER_INSERT] =
	    "INSERT INTO ledger(user_id, kind, amount, balance_after, hold_id,"
	    " idem_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_LEDGER_BY_KEY] =
	    "SELECT id, amount, balance_after FROM ledger"
	    " WHERE user_id = ?1 AND idem_key = ?2",
	/* ?1 row, ?2 user */
	[STMT_LEDGER_GET] =
	    "SELECT id, kind, amount, balance_after, created_at, coalesce(hold_id, 0)"
	    " FROM ledger WHERE id = ?1 AND user_id = ?2",
	[STMT_LEDGER_LIST] =
	    "SELECT id, kind, amount, balance_after, created_at, coalesce(hold_id, 0)"
	    " FROM ledger WHERE user_id = ?1 ORDER BY id DESC",
	[STMT_PAYMENT_INSERT] =
	    "INSERT INTO payment(hold_id, user_id, amount, created_at)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[STMT_HOLD_MARK_PAID] =
	    "UPDATE hold SET state = 'PAID' WHERE id = ?1 AND state = 'HELD'",
	[STMT_BOOKINGS] =
	    "SELECT pay.id, pay.amount, pay.created_at, h.id, s.section, s.row_label,"
	    " s.number, p.id, p.starts_at, c.title, c.venue FROM payment pay"
	    " JOIN hold h ON h.id = pay.hold_id JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = h.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " WHERE pay.user_id = ?1 ORDER BY p.starts_at, s.id",

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
