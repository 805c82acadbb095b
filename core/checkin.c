/*
 * checkin.c — admissions at the door (see checkin.h).
 */
#include "checkin.h"

#include <assert.h>
#include <string.h>

#include "live.h"
#include "sql.h"
#include "utf8.h"

int
checkin_door_ok(const char *door)
{
	size_t chars = 0, len;
	int visible = 0;

	if (door == NULL || (len = strlen(door)) == 0 || !utf8_valid(door, len))
		return 0;
	for (const unsigned char *p = (const unsigned char *)door; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if ((*p & 0xc0) != 0x80)
			chars++; /* a character starts here */
		if (*p != ' ')
			visible = 1;
	}
	return visible && chars <= CHECKIN_DOOR_MAX;
}

/* The ticket with this code, its seat and its admission if any; inside
 * the caller's transaction. BO_NOT_FOUND when there is none. */
static enum bo_status
find(struct db *db, struct arena *a, struct checkin *out)
{
	enum { T_ID, T_PERF, T_STARTS, T_TITLE, T_SECTION, T_ROW, T_NUMBER,
	    T_REFUNDED, T_CANCELLED, T_AT, T_DOOR, T__COLS };
	static struct sql q = SQL(T__COLS,
	    "SELECT t.id, t.performance_id, p.starts_at, c.title, s.section,"
	    " s.row_label, s.number, t.refunded_at, p.cancelled_at, ci.at,"
	    " ci.door"
	    " FROM ticket t JOIN hold h ON h.id = t.hold_id"
	    " JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = t.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " LEFT JOIN checkin ci ON ci.ticket = t.id"
	    " WHERE t.code = :code");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_text(st, ":code", out->code);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		out->ticket_id = sql_int(st, T_ID);
		out->performance_id = sql_int(st, T_PERF);
		out->starts_at = sql_int(st, T_STARTS);
		out->concert_title = arena_strdup(a, sql_text(st, T_TITLE));
		out->section = arena_strdup(a, sql_text(st, T_SECTION));
		out->row = arena_strdup(a, sql_text(st, T_ROW));
		out->number = sql_int(st, T_NUMBER);
		out->refunded_at = sql_is_null(st, T_REFUNDED) ? 0 :
		    sql_int(st, T_REFUNDED);
		out->cancelled_at = sql_is_null(st, T_CANCELLED) ? 0 :
		    sql_int(st, T_CANCELLED);
		if (!sql_is_null(st, T_AT)) {
			out->at = sql_int(st, T_AT);
			out->door = arena_strdup(a, sql_text(st, T_DOOR));
		}
	}
	sql_reset(st);
	if (rc == SQLITE_ROW)
		return BO_OK;
	return rc == SQLITE_DONE ? BO_NOT_FOUND : db_status(db, rc, "checkin find");
}

enum bo_status
checkin_admit(struct db *db, struct arena *a, const char *typed,
    int64_t performance, const char *door, int64_t staff, int64_t now,
    struct checkin *out)
{
	static struct sql admit_q = SQL(0,
	    "INSERT INTO checkin(ticket, door, at, staff_user)"
	    " VALUES (:ticket, :door, :now, :staff)");
	struct sql_stmt *st;
	enum bo_status s;

	assert(staff > 0);
	memset(out, 0, sizeof *out);
	out->door = "";
	if (door == NULL)
		door = CHECKIN_DOOR_DEFAULT;
	assert(checkin_door_ok(door)); /* the caller answers a bad name */
	/* What cannot be a code is answered without the database. */
	out->problem = ticket_code_parse(typed != NULL ? typed : "", out->code);
	if (out->problem != TICKET_CODE_OK)
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = find(db, a, out)) != BO_OK) {
		db_rollback(db);
		return s;
	}
	/* A dead code first: a refunded ticket opens no door, ever; nor
	 * does one of a cancelled performance whose refund is still to
	 * come (cancel-performance refunds in batches after it cancels:
	 * stopped in between, its tickets are not refunded yet). */
	if (out->refunded_at != 0 || out->cancelled_at != 0)
		s = BO_GONE;
	else if (performance != 0 && out->performance_id != performance)
		s = BO_FORBIDDEN;
	else if (out->at != 0)
		s = BO_CONFLICT; /* out->at and out->door: the first time */
	if (s != BO_OK) {
		db_rollback(db); /* nothing to write */
		return s;
	}
	st = sql_prepare(db, &admit_q);
	sql_bind_int(st, ":ticket", out->ticket_id);
	sql_bind_text(st, ":door", door);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":staff", staff);
	/* Under BEGIN IMMEDIATE nobody can have admitted it since find();
	 * if anything ever did, the PRIMARY KEY answers BO_CONFLICT here. */
	if ((s = sql_run(db, st, NULL)) == BO_OK) {
		out->at = now;
		out->door = arena_strdup(a, door);
	}
	return sql_end(db, s);
}

enum {
	P_ID, P_STARTS, P_TITLE, P_VENUE, P_SOLD, P_IN, P_CANCELLED, P__COLS
};
/* The columns both door statements read, one performance a row. */
#define DOOR_PERFORMANCE_COLS                                                 \
	"SELECT p.id, p.starts_at, c.title, c.venue,"                         \
	" (SELECT count(*) FROM ticket t WHERE t.performance_id = p.id"       \
	"  AND t.refunded_at IS NULL),"                                       \
	" (SELECT count(*) FROM ticket t JOIN checkin ci ON ci.ticket = t.id" \
	"  WHERE t.performance_id = p.id AND t.refunded_at IS NULL),"         \
	" coalesce(p.cancelled_at, 0)"                                        \
	" FROM performance p JOIN concert c ON c.id = p.concert_id"

static void
read_performance(struct sql_stmt *st, struct arena *a,
    struct door_performance *p)
{
	p->id = sql_int(st, P_ID);
	p->starts_at = sql_int(st, P_STARTS);
	p->concert_title = arena_strdup(a, sql_text(st, P_TITLE));
	p->venue = arena_strdup(a, sql_text(st, P_VENUE));
	p->sold = sql_int(st, P_SOLD);
	p->checked_in = sql_int(st, P_IN);
	p->cancelled_at = sql_int(st, P_CANCELLED);
}

enum bo_status
checkin_performances(struct db *db, struct arena *a, int64_t now,
    struct door_performance **out, size_t *n)
{
	static struct sql q = SQL(P__COLS, DOOR_PERFORMANCE_COLS
	    " WHERE p.starts_at >= :since AND " LIVE_PERFORMANCE("p")
	    " ORDER BY p.starts_at, p.id LIMIT 50");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	sql_bind_int(st, ":since", now - CHECKIN_SHOW_HOURS * 3600);
	while ((rc = sql_step(st)) == SQLITE_ROW)
		read_performance(st, a, arena_push(a, (void **)out, n, &cap,
		    sizeof **out));
	sql_reset(st);
	return db_status(db, rc, "checkin_performances");
}

enum bo_status
checkin_performance(struct db *db, struct arena *a, int64_t id,
    struct door_performance *out)
{
	static struct sql q = SQL(P__COLS, DOOR_PERFORMANCE_COLS
	    " WHERE p.id = :id");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	memset(out, 0, sizeof *out);
	sql_bind_int(st, ":id", id);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		read_performance(st, a, out);
	sql_reset(st);
	if (rc == SQLITE_ROW)
		return BO_OK;
	return rc == SQLITE_DONE ? BO_NOT_FOUND :
	    db_status(db, rc, "checkin_performance");
}
