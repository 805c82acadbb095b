/*
 * hold.c — seat holds (see hold.h).
 */
#include "hold.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "catalog.h"
#include "live.h"
#include "queue.h"
#include "sql.h"

enum bo_status
hold_allowed_locked(struct db *db, const struct performance *p,
    int64_t concert, int64_t user, int64_t now, const struct settings *set,
    int64_t count)
{
	/* The buyer's unpaid holds of the date, against max_holds. */
	enum { HELD_COUNT, HELD__COLS };
	static struct sql count_q = SQL(HELD__COLS,
	    "SELECT count(*) FROM hold h WHERE h.user_id = :user"
	    " AND h.performance_id = :perf AND " UNPAID_HOLD("h"));
	struct sql_stmt *st;
	enum bo_status s;
	int64_t n = 0;
	int active = 0;

	assert(db_in_transaction(db) && count > 0);
	if (performance_sale_state(p, now) != SALE_OPEN)
		return BO_GONE;
	/* Only a buyer whose queue turn is running may hold. */
	if ((s = queue_turn_active(db, concert, user, now, &active)) != BO_OK)
		return s;
	if (!active)
		return BO_FORBIDDEN;
	st = sql_prepare(db, &count_q);
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":perf", p->id);
	sql_bind_int(st, ":now", now);
	if ((s = sql_one_int(db, st, &n)) != BO_OK)
		return s;
	return n + count > set->max_holds ? BO_LIMIT : BO_OK;
}

/* Inside the transaction: may this buyer hold this seat now? */
static enum bo_status
may_hold(struct db *db, int64_t perf, int64_t seat, int64_t user, int64_t now,
    const struct settings *set, int64_t *price)
{
	/* The seat's price and the sale window of its date. */
	enum { FOR_PRICE, FOR_CONCERT, FOR_STARTS, FOR_OPENS, FOR_CLOSES,
	    FOR_CANCELLED, FOR__COLS };
	static struct sql seat_q = SQL(FOR__COLS,
	    "SELECT s.price, p.concert_id, p.starts_at, p.sale_opens_at,"
	    " p.sale_closes_at, coalesce(p.cancelled_at, 0) FROM seat s"
	    " JOIN performance p ON p.id = s.performance_id"
	    " WHERE s.id = :seat AND s.performance_id = :perf");
	struct sql_stmt *st = sql_prepare(db, &seat_q);
	struct performance p;
	int64_t concert = 0;
	int rc;

	memset(&p, 0, sizeof p);
	p.id = perf;
	sql_bind_int(st, ":seat", seat);
	sql_bind_int(st, ":perf", perf);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		*price = sql_int(st, FOR_PRICE);
		concert = sql_int(st, FOR_CONCERT);
		p.starts_at = sql_int(st, FOR_STARTS);
		p.sale_opens_at = sql_int(st, FOR_OPENS);
		p.sale_closes_at = sql_int(st, FOR_CLOSES);
		p.cancelled_at = sql_int(st, FOR_CANCELLED);
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "hold_create");
	return hold_allowed_locked(db, &p, concert, user, now, set, 1);
}

/* hold_create, and when view is not NULL hold_create_view. */
static enum bo_status
create(struct db *db, struct arena *a, int64_t perf, int64_t seat,
    int64_t user, int64_t now, const struct settings *set, struct idem *k,
    int64_t *hold_id, struct hold_view *view)
{
	/* A lapsed hold leaves the unique index before the seat is held
	 * again. */
	static struct sql lapse_q = SQL(0,
	    "UPDATE hold SET state = 'EXPIRED' WHERE seat_id = :seat"
	    " AND " LAPSED_HOLD("hold"));
	enum { NEW_ID, NEW__COLS };
	static struct sql insert_q = SQL(NEW__COLS,
	    "INSERT INTO hold(seat_id, performance_id, user_id, state, price,"
	    " created_at, expires_at)"
	    " VALUES (:seat, :perf, :user, 'HELD', :price, :now, :expires)"
	    " RETURNING id");
	struct sql_stmt *st;
	enum bo_status s;
	int64_t price = 0;

	*hold_id = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	/* A replay is answered before anything is checked again: the
	 * buyer's own hold must not come back as "taken". */
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k)) {
		db_rollback(db); /* a settled key changed nothing */
		return s;
	}
	if ((s = may_hold(db, perf, seat, user, now, set, &price)) != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &lapse_q);
	sql_bind_int(st, ":seat", seat);
	sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, NULL)) == BO_OK) {
		st = sql_prepare(db, &insert_q);
		sql_bind_int(st, ":seat", seat);
		sql_bind_int(st, ":perf", perf);
		sql_bind_int(st, ":user", user);
		sql_bind_int(st, ":price", price);
		sql_bind_int(st, ":now", now);
		sql_bind_int(st, ":expires", now + set->hold_seconds);
		/* The partial UNIQUE index answers "taken": BO_CONFLICT. */
		s = sql_one_int(db, st, hold_id);
	}
	if (s == BO_OK && view != NULL)
		s = hold_get(db, a, *hold_id, user, now, view);
	if (s != BO_OK) {
		*hold_id = 0;
		if (view != NULL)
			view->id = 0;
		return sql_end(db, s);
	}
	idem_add_ref(k, IDEM_REF_HOLD, *hold_id);
	if ((s = idem_commit(db, user, k, now)) != BO_OK || idem_settled(k)) {
		*hold_id = 0; /* rolled back */
		if (view != NULL)
			view->id = 0;
	}
	return s;
}

enum bo_status
hold_create(struct db *db, int64_t perf, int64_t seat, int64_t user,
    int64_t now, const struct settings *set, struct idem *k, int64_t *hold_id)
{
	return create(db, NULL, perf, seat, user, now, set, k, hold_id, NULL);
}

enum bo_status
hold_create_view(struct db *db, struct arena *a, int64_t perf, int64_t seat,
    int64_t user, int64_t now, const struct settings *set, struct idem *k,
    struct hold_view *out)
{
	int64_t hold_id = 0;

	memset(out, 0, sizeof *out);
	return create(db, a, perf, seat, user, now, set, k, &hold_id, out);
}

/* A hold's state as of now; unpaid is UNPAID_HOLD as the row was read. */
static enum hold_state
state_of(const char *state, int unpaid)
{
	if (strcmp(state, "PAID") == 0)
		return HOLD_PAID;
	if (strcmp(state, "RELEASED") == 0)
		return HOLD_RELEASED;
	if (unpaid)
		return HOLD_HELD;
	return HOLD_EXPIRED;
}

enum bo_status
hold_get(struct db *db, struct arena *a, int64_t hold_id, int64_t user,
    int64_t now, struct hold_view *h)
{
	enum { GET_ID, GET_USER, GET_STATE, GET_UNPAID, GET_PRICE, GET_CREATED,
	    GET_EXPIRES, GET_SECTION, GET_ROW, GET_NUMBER, GET_PERF,
	    GET_STARTS, GET_CONCERT, GET_TITLE, GET_VENUE, GET_PAYMENT,
	    GET_PAID_AT, GET_REFUNDED, GET_TICKET, GET_CODE, GET__COLS };
	static struct sql q = SQL(GET__COLS,
	    "SELECT h.id, h.user_id, h.state, " UNPAID_HOLD("h") ", h.price,"
	    " h.created_at, h.expires_at, s.section, s.row_label, s.number,"
	    " p.id, p.starts_at, c.id, c.title, c.venue, coalesce(pay.id, 0),"
	    " coalesce(pay.created_at, 0), coalesce(t.refunded_at, 0),"
	    " coalesce(t.id, 0), coalesce(t.code, '')"
	    " FROM hold h JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = h.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " LEFT JOIN payment pay ON pay.id = h.payment_id"
	    " LEFT JOIN ticket t ON t.hold_id = h.id WHERE h.id = :hold");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	memset(h, 0, sizeof *h);
	sql_bind_int(st, ":hold", hold_id);
	sql_bind_int(st, ":now", now);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		h->id = sql_int(st, GET_ID);
		h->user_id = sql_int(st, GET_USER);
		h->state = state_of(sql_text(st, GET_STATE),
		    (int)sql_int(st, GET_UNPAID));
		h->price = sql_int(st, GET_PRICE);
		h->created_at = sql_int(st, GET_CREATED);
		h->expires_at = sql_int(st, GET_EXPIRES);
		h->section = arena_strdup(a, sql_text(st, GET_SECTION));
		h->row = arena_strdup(a, sql_text(st, GET_ROW));
		h->number = sql_int(st, GET_NUMBER);
		h->performance_id = sql_int(st, GET_PERF);
		h->starts_at = sql_int(st, GET_STARTS);
		h->concert_id = sql_int(st, GET_CONCERT);
		h->concert_title = arena_strdup(a, sql_text(st, GET_TITLE));
		h->venue = arena_strdup(a, sql_text(st, GET_VENUE));
		h->payment_id = sql_int(st, GET_PAYMENT);
		h->paid_at = sql_int(st, GET_PAID_AT);
		h->refunded_at = sql_int(st, GET_REFUNDED);
		h->ticket_id = sql_int(st, GET_TICKET);
		h->ticket_code = arena_strdup(a, sql_text(st, GET_CODE));
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "hold_get");
	return h->user_id == user ? BO_OK : BO_FORBIDDEN;
}

enum bo_status
hold_release(struct db *db, int64_t hold_id, int64_t user, int64_t now)
{
	static struct sql q = SQL(0,
	    "UPDATE hold SET state = 'RELEASED' WHERE id = :hold"
	    " AND user_id = :user AND " UNPAID_HOLD("hold"));
	struct arena a = ARENA_INIT;
	struct hold_view h;
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = hold_get(db, &a, hold_id, user, now, &h)) == BO_OK &&
	    h.state != HOLD_HELD)
		s = BO_GONE;
	arena_free(&a);
	if (s != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":hold", hold_id);
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":now", now);
	return sql_end(db, sql_run(db, st, NULL));
}

enum bo_status
hold_release_seat(struct db *db, struct arena *a, int64_t perf,
    const char *section, const char *row, int64_t number,
    const struct audit_actor *who, int64_t now, const char **holder)
{
	enum { SEAT_ID, SEAT_HOLD, SEAT_STATE, SEAT_UNPAID, SEAT_EMAIL,
	    SEAT__COLS };
	/* The seat and its live claim, if any (at most one: the index). */
	static struct sql find_q = SQL(SEAT__COLS,
	    "SELECT s.id, h.id, h.state, " UNPAID_HOLD("h") ", u.email"
	    " FROM seat s"
	    " LEFT JOIN hold h ON h.seat_id = s.id AND " LIVE_HOLD("h")
	    " LEFT JOIN user u ON u.id = h.user_id"
	    " WHERE s.performance_id = :perf AND s.section = :section"
	    " AND s.row_label = :row AND s.number = :number");
	static struct sql free_q = SQL(0,
	    "UPDATE hold SET state = 'RELEASED' WHERE id = :hold"
	    " AND " UNPAID_HOLD("hold"));
	struct sql_stmt *st;
	enum bo_status s;
	int64_t hold = 0, changes = 0;
	char subject[200], before[400];
	int rc, unpaid = 0, paid = 0;

	assert(who != NULL && section != NULL && row != NULL);
	if (holder != NULL)
		*holder = NULL;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &find_q);
	sql_bind_int(st, ":perf", perf);
	sql_bind_text(st, ":section", section);
	sql_bind_text(st, ":row", row);
	sql_bind_int(st, ":number", number);
	sql_bind_int(st, ":now", now);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		hold = sql_int(st, SEAT_HOLD);
		paid = hold > 0 && strcmp(sql_text(st, SEAT_STATE), "PAID") == 0;
		unpaid = hold > 0 && sql_int(st, SEAT_UNPAID) != 0;
		if (holder != NULL && hold > 0)
			*holder = arena_strdup(a, sql_text(st, SEAT_EMAIL));
		snprintf(before, sizeof before, "held by %s (hold %lld)",
		    sql_text(st, SEAT_EMAIL), (long long)hold);
		s = BO_OK;
	} else {
		s = rc == SQLITE_DONE ? BO_NOT_FOUND : db_status(db, rc,
		    "hold_release_seat");
	}
	sql_reset(st);
	if (s == BO_OK && paid)
		s = BO_CONFLICT;
	else if (s == BO_OK && !unpaid)
		s = BO_GONE;
	if (s != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &free_q);
	sql_bind_int(st, ":hold", hold);
	sql_bind_int(st, ":now", now);
	s = sql_run(db, st, &changes);
	assert(s != BO_OK || changes == 1); /* read live in this transaction */
	if (s == BO_OK) {
		snprintf(subject, sizeof subject, "seat %s · row %s · %lld of "
		    "performance %lld", section, row, (long long)number,
		    (long long)perf);
		s = audit_write_locked(db, who, AUDIT_RELEASE, subject, before,
		    "free", now);
	}
	return sql_end(db, s);
}

enum bo_status
holds_awaiting(struct db *db, struct arena *a, int64_t user, int64_t concert,
    int64_t now, struct awaiting_seat **out, size_t *n)
{
	enum { AW_ID, AW_ORDER, AW_PERF, AW_STARTS, AW_TITLE, AW_SECTION,
	    AW_ROW, AW_NUMBER, AW_PRICE, AW_EXPIRES, AW__COLS };
	/* LIVE_HOLD's state term lets the partial index of live holds (019)
	 * answer (as seats_mine); UNPAID_HOLD keeps the unpaid ones: the
	 * same holds queue_leave releases at a concert. */
	static struct sql q = SQL(AW__COLS,
	    "SELECT h.id, coalesce(h.order_id, 0), p.id, p.starts_at, c.title,"
	    " s.section, s.row_label, s.number, h.price, h.expires_at"
	    " FROM hold h INDEXED BY hold_user_live"
	    " JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = h.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " WHERE h.user_id = :user AND " LIVE_HOLD("h") " AND "
	    UNPAID_HOLD("h") " AND (:concert = 0 OR p.concert_id = :concert)"
	    " ORDER BY h.expires_at, coalesce(h.order_id, 0), s.id"
	    " LIMIT :limit");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":concert", concert);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":limit", HOLDS_AWAITING_MAX);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct awaiting_seat *w = arena_push(a, (void **)out, n, &cap,
		    sizeof *w);

		w->hold_id = sql_int(st, AW_ID);
		w->order_id = sql_int(st, AW_ORDER);
		w->performance_id = sql_int(st, AW_PERF);
		w->starts_at = sql_int(st, AW_STARTS);
		w->concert_title = arena_strdup(a, sql_text(st, AW_TITLE));
		w->section = arena_strdup(a, sql_text(st, AW_SECTION));
		w->row = arena_strdup(a, sql_text(st, AW_ROW));
		w->number = sql_int(st, AW_NUMBER);
		w->price = sql_int(st, AW_PRICE);
		w->expires_at = sql_int(st, AW_EXPIRES);
	}
	sql_reset(st);
	return db_status(db, rc, "holds_awaiting");
}

static int
by_seat(const void *a, const void *b)
{
	const struct my_seat *x = a, *y = b;

	return (x->seat_id > y->seat_id) - (x->seat_id < y->seat_id);
}

enum bo_status
seats_mine(struct db *db, struct arena *a, int64_t user, int64_t perf,
    int64_t now, struct my_seat **out, size_t *n)
{
	enum { MY_ID, MY_SEAT, MY_ORDER, MY_SECTION, MY_ROW, MY_NUMBER,
	    MY_PRICE, MY_EXPIRES, MY_PAID, MY__COLS };
	/* Through the partial index of live holds (019): its WHERE is
	 * LIVE_HOLD's state term, which hold_user would look up state by
	 * state through a temporary table built at each view. INDEXED BY
	 * says so, and fails loudly if the index is ever gone. Sorted here,
	 * not by a sorter: a handful of rows. */
	static struct sql q = SQL(MY__COLS,
	    "SELECT h.id, h.seat_id, coalesce(h.order_id, 0), s.section,"
	    " s.row_label, s.number, h.price, h.expires_at, h.state = 'PAID'"
	    " FROM hold h INDEXED BY hold_user_live"
	    " JOIN seat s ON s.id = h.seat_id WHERE h.user_id = :user"
	    " AND h.performance_id = :perf AND " LIVE_HOLD("h"));
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct my_seat *m = arena_push(a, (void **)out, n, &cap, sizeof *m);

		m->hold_id = sql_int(st, MY_ID);
		m->seat_id = sql_int(st, MY_SEAT);
		m->order_id = sql_int(st, MY_ORDER);
		m->section = arena_strdup(a, sql_text(st, MY_SECTION));
		m->row = arena_strdup(a, sql_text(st, MY_ROW));
		m->number = sql_int(st, MY_NUMBER);
		m->price = sql_int(st, MY_PRICE);
		m->expires_at = sql_int(st, MY_EXPIRES);
		m->paid = (int)sql_int(st, MY_PAID);
	}
	sql_reset(st);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, by_seat);
	return db_status(db, rc, "seats_mine");
}

enum bo_status
holds_expire_all(struct db *db, int64_t now, int64_t *n)
{
	/* Writes down what every statement already treats as free. */
	static struct sql q = SQL(0,
	    "UPDATE hold SET state = 'EXPIRED' WHERE " LAPSED_HOLD("hold"));
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":now", now);
	return sql_end(db, sql_run(db, st, n));
}
