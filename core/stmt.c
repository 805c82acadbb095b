/*
 * stmt.c — the SQL of boxoffice, in one place (see stmt.h).
 *
 * Every statement takes bound parameters only; no SQL text is ever built
 * from input. "Live" holds are PAID ones and HELD ones whose expires_at is
 * still ahead of ?now: an expired hold is free even before boxoffice-expire
 * marks it (lazy expiry). The `state IN ('HELD','PAID')` term lets SQLite
 * use the partial index hold_one_live_per_seat.
 */
#include <assert.h>
#include <stddef.h>

#include "stmt.h"

#define LIVE_HOLDS_OF_PERFORMANCE(perf, now)                                  \
	"(SELECT count(*) FROM hold h WHERE h.performance_id = " perf         \
	" AND h.state IN ('HELD','PAID')"                                     \
	" AND (h.state = 'PAID' OR h.expires_at > " now "))"

static const char *const sql[STMT__MAX] = {
	[STMT_SETTING_GET] = "SELECT value FROM setting WHERE key = ?1",
	[STMT_SETTING_SET] =
	    "INSERT INTO setting(key, value) VALUES (?1, ?2)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[STMT_SETTING_ALL] = "SELECT key, value FROM setting ORDER BY key",

	[STMT_USER_INSERT] =
	    "INSERT INTO user(email, pw_hash, created_at) VALUES (?1, ?2, ?3)",
	[STMT_USER_BY_EMAIL] =
	    "SELECT id, pw_hash FROM user WHERE email = ?1",
	[STMT_USER_BY_ID] =
	    "SELECT id, email, balance FROM user WHERE id = ?1",
	[STMT_SESSION_INSERT] =
	    "INSERT INTO session(token_hash, user_id, csrf, created_at, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_SESSION_LOOKUP] =
	    "SELECT s.user_id, s.csrf, u.email, u.balance FROM session s"
	    " JOIN user u ON u.id = s.user_id"
	    " WHERE s.token_hash = ?1 AND s.expires_at > ?2",
	[STMT_SESSION_DELETE] = "DELETE FROM session WHERE token_hash = ?1",
	[STMT_SESSION_PURGE] = "DELETE FROM session WHERE expires_at <= ?1",
	[STMT_LOGIN_FAILURE_GET] =
	    "SELECT failures, window_start FROM login_failure WHERE email = ?1",
	/* ?2 now, ?3 the start of the current window (now - window) */
	[STMT_LOGIN_FAILURE_BUMP] =
	    "INSERT INTO login_failure(email, failures, window_start)"
	    " VALUES (?1, 1, ?2) ON CONFLICT(email) DO UPDATE SET"
	    " failures = CASE WHEN window_start <= ?3 THEN 1 ELSE failures + 1 END,"
	    " window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END",
	[STMT_LOGIN_FAILURE_CLEAR] = "DELETE FROM login_failure WHERE email = ?1",
	[STMT_LOGIN_FAILURE_PURGE] =
	    "DELETE FROM login_failure WHERE window_start <= ?1",

	[STMT_CONCERT_INSERT] =
	    "INSERT INTO concert(title, artist, venue, description)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[STMT_PERFORMANCE_INSERT] =
	    "INSERT INTO performance(concert_id, starts_at, sale_opens_at, sale_closes_at)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[STMT_SEAT_INSERT] =
	    "INSERT INTO seat(performance_id, section, row_label, number, price)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_PERFORMANCE_REFRESH] =
	    "UPDATE performance SET"
	    " seat_count = (SELECT count(*) FROM seat WHERE performance_id = ?1),"
	    " min_price = (SELECT coalesce(min(price), 0) FROM seat WHERE performance_id = ?1),"
	    " max_price = (SELECT coalesce(max(price), 0) FROM seat WHERE performance_id = ?1)"
	    " WHERE id = ?1",
	/* ?1 now: concerts with a performance still ahead, soonest first */
	[STMT_CONCERT_LIST] =
	    "SELECT c.id, c.title, c.artist, c.venue, min(p.starts_at),"
	    " min(p.min_price), sum(p.seat_count - "
	    LIVE_HOLDS_OF_PERFORMANCE("p.id", "?1") "), count(*)"
	    " FROM concert c JOIN performance p ON p.concert_id = c.id"
	    " WHERE p.starts_at > ?1"
	    " GROUP BY c.id ORDER BY min(p.starts_at), c.id",
	[STMT_CONCERT_GET] =
	    "SELECT id, title, artist, venue, description FROM concert WHERE id = ?1",
	/* ?1 concert, ?2 now */
	[STMT_PERFORMANCE_LIST] =
	    "SELECT p.id, p.concert_id, p.starts_at, p.sale_opens_at, p.sale_closes_at,"
	    " p.seat_count, p.min_price, p.max_price, p.seat_count - "
	    LIVE_HOLDS_OF_PERFORMANCE("p.id", "?2")
	    " FROM performance p WHERE p.concert_id = ?1 AND p.starts_at > ?2"
	    " ORDER BY p.starts_at, p.id",
	/* ?1 performance, ?2 now */
	[STMT_PERFORMANCE_GET] =
	    "SELECT p.id, p.concert_id, p.starts_at, p.sale_opens_at, p.sale_closes_at,"
	    " p.seat_count, p.min_price, p.max_price, p.seat_count - "
	    LIVE_HOLDS_OF_PERFORMANCE("p.id", "?2")
	    " FROM performance p WHERE p.id = ?1",
	/* ?1 performance, ?2 now; seats in the order they were added */
	[STMT_SEAT_MAP] =
	    "SELECT s.id, s.section, s.row_label, s.number, s.price,"
	    " h.id IS NOT NULL FROM seat s"
	    " LEFT JOIN hold h ON h.seat_id = s.id AND h.state IN ('HELD','PAID')"
	    " AND (h.state = 'PAID' OR h.expires_at > ?2)"
	    " WHERE s.performance_id = ?1 ORDER BY s.id",
};

const char *
stmt_sql(enum stmt id)
{
	assert(id < STMT__MAX && sql[id] != NULL);
	return sql[id];
}
