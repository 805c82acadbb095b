/*
 * ticket.c — a ticket as its printable page shows it (see ticket.h).
 */
#include "ticket.h"

#include <stdio.h>
#include <string.h>

#include "role.h"
#include "sql.h"

enum bo_status
ticket_show(struct db *db, struct arena *a, int64_t id, int64_t viewer,
    struct ticket_view *out)
{
	enum { T_HOLD, T_PERF, T_STARTS, T_TITLE, T_ARTIST, T_VENUE,
	    T_SECTION, T_ROW, T_NUMBER, T_PRICE, T_CODE, T_CREATED,
	    T_REFUNDED, T_IN, T_OWNER, T__COLS };
	static struct sql q = SQL(T__COLS,
	    "SELECT t.hold_id, t.performance_id, p.starts_at, c.title, c.artist,"
	    " c.venue, s.section, s.row_label, s.number, h.price, t.code,"
	    " t.created_at, t.refunded_at, ci.at, h.user_id"
	    " FROM ticket t JOIN hold h ON h.id = t.hold_id"
	    " JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = t.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " LEFT JOIN checkin ci ON ci.ticket = t.id"
	    " WHERE t.id = :id");
	struct sql_stmt *st = sql_prepare(db, &q);
	enum bo_status s;
	int64_t owner = 0;
	int rc, staff = 0;

	memset(out, 0, sizeof *out);
	sql_bind_int(st, ":id", id);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		out->id = id;
		out->hold_id = sql_int(st, T_HOLD);
		out->performance_id = sql_int(st, T_PERF);
		out->starts_at = sql_int(st, T_STARTS);
		out->concert_title = arena_strdup(a, sql_text(st, T_TITLE));
		out->artist = arena_strdup(a, sql_text(st, T_ARTIST));
		out->venue = arena_strdup(a, sql_text(st, T_VENUE));
		out->section = arena_strdup(a, sql_text(st, T_SECTION));
		out->row = arena_strdup(a, sql_text(st, T_ROW));
		out->number = sql_int(st, T_NUMBER);
		out->price = sql_int(st, T_PRICE);
		snprintf(out->code, sizeof out->code, "%s", sql_text(st, T_CODE));
		out->created_at = sql_int(st, T_CREATED);
		out->refunded_at = sql_is_null(st, T_REFUNDED) ? 0 :
		    sql_int(st, T_REFUNDED);
		out->checked_in_at = sql_is_null(st, T_IN) ? 0 : sql_int(st, T_IN);
		owner = sql_int(st, T_OWNER);
	}
	sql_reset(st);
	if (rc != SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		return rc == SQLITE_DONE ? BO_NOT_FOUND :
		    db_status(db, rc, "ticket_show");
	}
	out->own = owner == viewer;
	if (out->own)
		return BO_OK;
	if ((s = role_check(db, viewer, ROLE_STAFF, &staff)) == BO_OK && !staff)
		s = BO_NOT_FOUND; /* not a hint that it exists */
	if (s != BO_OK)
		memset(out, 0, sizeof *out);
	return s;
}
