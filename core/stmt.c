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
};

const char *
stmt_sql(enum stmt id)
{
	assert(id < STMT__MAX && sql[id] != NULL);
	return sql[id];
}
