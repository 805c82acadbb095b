/*
 * order.c — orders of several seats (see order.h).
 *
 * The seats of one request travel to SQLite as one JSON array bound to
 * :ids and read with json_each(), so each step is one statement whatever
 * the number of seats.
 */
#include "order.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "live.h"
#include "sql.h"

/* "[1,2,3]": the seats as the :ids of the statements below. */
static const char *
ids_json(struct arena *a, const int64_t *ids, size_t n)
{
	size_t cap = 2 + n * 21, len = 0;
	char *s = arena_alloc(a, cap + 1);

	s[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap + 1 - len, "%s%lld",
		    i ? "," : "", (long long)ids[i]);
	s[len++] = ']';
	s[len] = '\0';
	return s;
}

/* Inside the transaction: the date of perf (its sale window, whether it
 * was cancelled, and its concert): what performance_sale_state() reads. */
static enum bo_status
read_performance(struct db *db, int64_t perf, struct performance *p,
    int64_t *concert)
{
	enum { PERF_CONCERT, PERF_STARTS, PERF_OPENS, PERF_CLOSES, PERF_CANCELLED,
	    PERF__COLS };
	static struct sql q = SQL(PERF__COLS,
	    "SELECT concert_id, starts_at, sale_opens_at, sale_closes_at,"
	    " coalesce(cancelled_at, 0) FROM performance WHERE id = :perf");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	memset(p, 0, sizeof *p);
	p->id = perf;
	sql_bind_int(st, ":perf", perf);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		*concert = sql_int(st, PERF_CONCERT);
		p->starts_at = sql_int(st, PERF_STARTS);
		p->sale_opens_at = sql_int(st, PERF_OPENS);
		p->sale_closes_at = sql_int(st, PERF_CLOSES);
		p->cancelled_at = sql_int(st, PERF_CANCELLED);
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "order: performance");
}

/* Inside the transaction: are all n seats of ids seats of perf? */
static enum bo_status
seats_of(struct db *db, int64_t perf, const char *ids, size_t n)
{
	enum { OF_COUNT, OF__COLS };
	static struct sql q = SQL(OF__COLS,
	    "SELECT count(*) FROM seat WHERE performance_id = :perf"
	    " AND id IN (SELECT value FROM json_each(:ids))");
	struct sql_stmt *st = sql_prepare(db, &q);
	enum bo_status s;
	int64_t count = 0;

	sql_bind_int(st, ":perf", perf);
	sql_bind_text(st, ":ids", ids);
	if ((s = sql_one_int(db, st, &count)) != BO_OK)
		return s;
	return count == (int64_t)n ? BO_OK : BO_NOT_FOUND;
}

/* Inside the transaction: the seats of ids that are live-held now. */
static enum bo_status
seats_taken(struct db *db, struct arena *a, const char *ids,
    int64_t now, struct order_refusal *why)
{
	enum { TAKEN_SEAT, TAKEN__COLS };
	static struct sql q = SQL(TAKEN__COLS,
	    "SELECT j.value FROM json_each(:ids) j WHERE EXISTS"
	    " (SELECT 1 FROM hold h WHERE h.seat_id = j.value AND "
	    LIVE_HOLD("h") ") ORDER BY j.value");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	why->taken = NULL;
	why->ntaken = 0;
	sql_bind_text(st, ":ids", ids);
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW)
		*(int64_t *)arena_push(a, (void **)&why->taken, &why->ntaken,
		    &cap, sizeof(int64_t)) = sql_int(st, TAKEN_SEAT);
	sql_reset(st);
	return db_status(db, rc, "order: taken");
}

/* Inside the transaction: the buyer's live order of the date that new
 * seats join (issue 10's one payment; review 10 item 3), 0 when none: an
 * order with a seat still held, its deadline not passed. The latest
 * deadline when there are several (orders made before the web joined). */
static enum bo_status
basket_of(struct db *db, int64_t perf, int64_t user, int64_t now,
    int64_t *order_id, int64_t *expires)
{
	enum { BASKET_ID, BASKET_EXPIRES, BASKET__COLS };
	static struct sql q = SQL(BASKET__COLS,
	    "SELECT o.id, o.expires_at FROM hold_order o"
	    " WHERE o.user_id = :user AND o.performance_id = :perf"
	    " AND o.expires_at > :now AND EXISTS (SELECT 1 FROM hold h"
	    " WHERE h.order_id = o.id AND " UNPAID_HOLD("h") ")"
	    " ORDER BY o.expires_at DESC, o.id DESC LIMIT 1");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	*order_id = *expires = 0;
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":now", now);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		*order_id = sql_int(st, BASKET_ID);
		*expires = sql_int(st, BASKET_EXPIRES);
	}
	sql_reset(st);
	return db_status(db, rc, "order: basket");
}

/* Inside the transaction, the seats checked: the order and its holds.
 * *order_id not 0: the seats join that order at its deadline (expires),
 * which is never moved; 0: a new order, due in hold_seconds. */
static enum bo_status
insert_order(struct db *db, int64_t perf, const char *ids, size_t n,
    int64_t user, int64_t now, const struct settings *set, int64_t *order_id,
    int64_t expires)
{
	/* Lapsed holds of these seats leave the unique index first. */
	static struct sql lapse_q = SQL(0,
	    "UPDATE hold SET state = 'EXPIRED' WHERE seat_id IN"
	    " (SELECT value FROM json_each(:ids)) AND " LAPSED_HOLD("hold"));
	enum { NEW_ID, NEW__COLS };
	static struct sql order_q = SQL(NEW__COLS,
	    "INSERT INTO hold_order(user_id, performance_id, created_at,"
	    " expires_at) VALUES (:user, :perf, :now, :expires) RETURNING id");
	/* The partial UNIQUE index answers "taken" for any seat missed. */
	static struct sql holds_q = SQL(0,
	    "INSERT INTO hold(seat_id, performance_id, user_id, state, price,"
	    " created_at, expires_at, order_id)"
	    " SELECT s.id, s.performance_id, :user, 'HELD', s.price, :now,"
	    " :expires, :order FROM seat s"
	    " WHERE s.id IN (SELECT value FROM json_each(:ids)) ORDER BY s.id");
	struct sql_stmt *st = sql_prepare(db, &lapse_q);
	enum bo_status s;
	int64_t changes = 0;

	sql_bind_text(st, ":ids", ids);
	sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, NULL)) != BO_OK)
		return s;
	if (*order_id == 0) {
		expires = now + set->hold_seconds;
		st = sql_prepare(db, &order_q);
		sql_bind_int(st, ":user", user);
		sql_bind_int(st, ":perf", perf);
		sql_bind_int(st, ":now", now);
		sql_bind_int(st, ":expires", expires);
		if ((s = sql_one_int(db, st, order_id)) != BO_OK)
			return s;
	}
	assert(expires > now);
	st = sql_prepare(db, &holds_q);
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":expires", expires);
	sql_bind_int(st, ":order", *order_id);
	sql_bind_text(st, ":ids", ids);
	if ((s = sql_run(db, st, &changes)) != BO_OK)
		return s;
	/* seats_of() counted n seats of the date in this transaction. */
	assert(changes == (int64_t)n);
	return BO_OK;
}

/* Best available, inside the transaction: the count adjacent free seats
 * of the section (see order.h); *ids their JSON array. */
static enum bo_status
choose_best(struct db *db, struct arena *a, int64_t perf, const char *section,
    int64_t count, int64_t now, const char **ids)
{
	/* The section's seats in the order they were added: rows front to
	 * back, each row's seats in turn. */
	enum { BEST_ID, BEST_ROW, BEST_NUMBER, BEST_FREE, BEST__COLS };
	static struct sql q = SQL(BEST__COLS,
	    "SELECT s.id, s.row_label, s.number, NOT EXISTS (SELECT 1 FROM hold h"
	    " WHERE h.seat_id = s.id AND " LIVE_HOLD("h") ")"
	    " FROM seat s WHERE s.performance_id = :perf AND s.section = :section"
	    " ORDER BY s.id");
	struct best_seat { int64_t id, number; const char *row; int free; };
	struct best_seat *seats = NULL;
	size_t n = 0, cap = 0, row_start = 0;
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_int(st, ":perf", perf);
	sql_bind_text(st, ":section", section);
	sql_bind_int(st, ":now", now);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct best_seat *b = arena_push(a, (void **)&seats, &n, &cap,
		    sizeof *b);

		b->id = sql_int(st, BEST_ID);
		b->row = arena_strdup(a, sql_text(st, BEST_ROW));
		b->number = sql_int(st, BEST_NUMBER);
		b->free = (int)sql_int(st, BEST_FREE);
	}
	sql_reset(st);
	if (rc != SQLITE_DONE)
		return db_status(db, rc, "order: best");
	if (n == 0)
		return BO_NOT_FOUND;
	for (size_t i = 1; i <= n; i++) {
		size_t best = SIZE_MAX;
		int64_t best_off = INT64_MAX;

		if (i < n && strcmp(seats[i].row, seats[row_start].row) == 0)
			continue;
		/* Row [row_start, i): every window of count seats that are
		 * free and numbered one after another; its middle nearest the
		 * row's (twice the offsets: whole numbers). */
		for (size_t w = row_start; w + (size_t)count <= i; w++) {
			size_t j;
			int64_t off;

			for (j = w; j < w + (size_t)count; j++)
				if (!seats[j].free || (j > w &&
				    seats[j].number != seats[j - 1].number + 1))
					break;
			if (j < w + (size_t)count)
				continue;
			off = (seats[w].number + seats[j - 1].number) -
			    (seats[row_start].number + seats[i - 1].number);
			if (off < 0)
				off = -off;
			if (off < best_off) {
				best_off = off;
				best = w;
			}
		}
		if (best != SIZE_MAX) {
			int64_t *chosen = arena_alloc(a, (size_t)count *
			    sizeof *chosen);

			for (int64_t k = 0; k < count; k++)
				chosen[k] = seats[best + (size_t)k].id;
			*ids = ids_json(a, chosen, (size_t)count);
			return BO_OK;
		}
		row_start = i;
	}
	return BO_CONFLICT;
}

/* order_create, order_best and their joining forms: seats named (ids)
 * or chosen (section); join: into the buyer's live order of the date. */
static enum bo_status
create(struct db *db, struct arena *a, int64_t perf, const int64_t *seats,
    size_t n, const char *section, int64_t count, int join, int64_t user,
    int64_t now, const struct settings *set, struct idem *k,
    struct order_view *out, struct order_refusal *why)
{
	struct performance p;
	const char *ids = NULL;
	enum bo_status s;
	int64_t concert = 0, order_id = 0, expires = 0;

	memset(out, 0, sizeof *out);
	if (why != NULL)
		memset(why, 0, sizeof *why);
	if (section == NULL) {
		if (n == 0 || n > ORDER_MAX_SEATS)
			return BO_INVALID;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (seats[i] == seats[j])
					return BO_INVALID;
		ids = ids_json(a, seats, n);
	} else {
		if (count < 1 || count > ORDER_MAX_SEATS)
			return BO_INVALID;
		n = (size_t)count;
	}
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	/* A replay is answered before anything is checked again. */
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k)) {
		db_rollback(db); /* a settled key changed nothing */
		return s;
	}
	if ((s = read_performance(db, perf, &p, &concert)) != BO_OK ||
	    (s = hold_allowed_locked(db, &p, concert, user, now, set,
	    (int64_t)n)) != BO_OK)
		return sql_end(db, s);
	if (section != NULL) {
		s = choose_best(db, a, perf, section, count, now, &ids);
	} else if ((s = seats_of(db, perf, ids, n)) == BO_OK) {
		struct order_refusal own;

		s = seats_taken(db, a, ids, now, why != NULL ? why : &own);
		if (s == BO_OK && (why != NULL ? why : &own)->ntaken > 0)
			s = BO_CONFLICT;
	}
	if (s == BO_OK && join)
		s = basket_of(db, perf, user, now, &order_id, &expires);
	if (s == BO_OK)
		s = insert_order(db, perf, ids, n, user, now, set, &order_id,
		    expires);
	if (s == BO_OK)
		s = order_get(db, a, order_id, user, now, out);
	if (s != BO_OK) {
		memset(out, 0, sizeof *out);
		return sql_end(db, s);
	}
	for (size_t i = 0; i < out->n; i++)
		idem_add_ref(k, IDEM_REF_HOLD, out->holds[i].id);
	if ((s = idem_commit(db, user, k, now)) != BO_OK || idem_settled(k))
		out->id = 0; /* rolled back */
	return s;
}

enum bo_status
order_create(struct db *db, struct arena *a, int64_t perf,
    const int64_t *seats, size_t n, int64_t user, int64_t now,
    const struct settings *set, struct idem *k, struct order_view *out,
    struct order_refusal *why)
{
	return create(db, a, perf, seats, n, NULL, 0, 0, user, now, set, k, out,
	    why);
}

enum bo_status
order_add(struct db *db, struct arena *a, int64_t perf, const int64_t *seats,
    size_t n, int64_t user, int64_t now, const struct settings *set,
    struct order_view *out, struct order_refusal *why)
{
	return create(db, a, perf, seats, n, NULL, 0, 1, user, now, set, NULL,
	    out, why);
}

enum bo_status
order_best(struct db *db, struct arena *a, int64_t perf, const char *section,
    int64_t count, int64_t user, int64_t now, const struct settings *set,
    struct idem *k, struct order_view *out)
{
	assert(section != NULL);
	return create(db, a, perf, NULL, 0, section, count, 0, user, now, set, k,
	    out, NULL);
}

enum bo_status
order_add_best(struct db *db, struct arena *a, int64_t perf,
    const char *section, int64_t count, int64_t user, int64_t now,
    const struct settings *set, struct order_view *out)
{
	assert(section != NULL);
	return create(db, a, perf, NULL, 0, section, count, 1, user, now, set,
	    NULL, out, NULL);
}

enum bo_status
order_get(struct db *db, struct arena *a, int64_t order_id, int64_t user,
    int64_t now, struct order_view *o)
{
	enum { ORD_USER, ORD_PERF, ORD_CREATED, ORD_EXPIRES, ORD_STARTS,
	    ORD_CONCERT, ORD_TITLE, ORD_VENUE, ORD__COLS };
	static struct sql q = SQL(ORD__COLS,
	    "SELECT o.user_id, o.performance_id, o.created_at, o.expires_at,"
	    " p.starts_at, c.id, c.title, c.venue FROM hold_order o"
	    " JOIN performance p ON p.id = o.performance_id"
	    " JOIN concert c ON c.id = p.concert_id WHERE o.id = :order");
	enum { OH_ID, OH__COLS };
	static struct sql holds_q = SQL(OH__COLS,
	    "SELECT h.id FROM hold h WHERE h.order_id = :order"
	    " ORDER BY h.seat_id");
	struct sql_stmt *st = sql_prepare(db, &q);
	int64_t *ids = NULL;
	size_t nids = 0, cap = 0;
	enum bo_status s;
	int rc;

	memset(o, 0, sizeof *o);
	sql_bind_int(st, ":order", order_id);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		o->id = order_id;
		o->user_id = sql_int(st, ORD_USER);
		o->performance_id = sql_int(st, ORD_PERF);
		o->created_at = sql_int(st, ORD_CREATED);
		o->expires_at = sql_int(st, ORD_EXPIRES);
		o->starts_at = sql_int(st, ORD_STARTS);
		o->concert_id = sql_int(st, ORD_CONCERT);
		o->concert_title = arena_strdup(a, sql_text(st, ORD_TITLE));
		o->venue = arena_strdup(a, sql_text(st, ORD_VENUE));
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "order_get");
	if (o->user_id != user) {
		memset(o, 0, sizeof *o);
		return BO_FORBIDDEN;
	}
	st = sql_prepare(db, &holds_q);
	sql_bind_int(st, ":order", order_id);
	while ((rc = sql_step(st)) == SQLITE_ROW)
		*(int64_t *)arena_push(a, (void **)&ids, &nids, &cap,
		    sizeof(int64_t)) = sql_int(st, OH_ID);
	sql_reset(st);
	if (rc != SQLITE_DONE)
		return db_status(db, rc, "order_get");
	/* Each seat as hold_get reads it: one rule for a hold's state. */
	o->holds = arena_alloc(a, (nids ? nids : 1) * sizeof *o->holds);
	for (size_t i = 0; i < nids; i++) {
		struct hold_view *h = &o->holds[o->n++];

		if ((s = hold_get(db, a, ids[i], user, now, h)) != BO_OK)
			return s;
		if (h->state == HOLD_HELD) {
			o->held++;
			o->total += h->price;
		} else if (h->state == HOLD_PAID) {
			o->paid++;
			o->paid_total += h->price;
		}
	}
	return BO_OK;
}

enum bo_status
order_of_hold(struct db *db, int64_t hold_id, int64_t *order_id)
{
	enum { OF_ORDER, OF__COLS };
	static struct sql q = SQL(OF__COLS,
	    "SELECT coalesce(order_id, 0) FROM hold WHERE id = :hold");
	struct sql_stmt *st = sql_prepare(db, &q);

	*order_id = 0;
	sql_bind_int(st, ":hold", hold_id);
	return sql_one_int(db, st, order_id);
}

enum bo_status
order_release(struct db *db, int64_t order_id, int64_t user, int64_t now)
{
	static struct sql q = SQL(0,
	    "UPDATE hold SET state = 'RELEASED' WHERE order_id = :order"
	    " AND user_id = :user AND " UNPAID_HOLD("hold"));
	struct arena a = ARENA_INIT;
	struct order_view o;
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = order_get(db, &a, order_id, user, now, &o)) == BO_OK &&
	    o.held == 0)
		s = BO_GONE;
	arena_free(&a);
	if (s != BO_OK)
		return sql_end(db, s);
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":order", order_id);
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":now", now);
	return sql_end(db, sql_run(db, st, NULL));
}
