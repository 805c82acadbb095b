/*
 * payment.c — payment and bookings (see payment.h).
 */
#include "payment.h"

#include <assert.h>
#include <string.h>

#include "checkin.h"
#include "hold.h"
#include "live.h"
#include "queue.h"
#include "sql.h"
#include "wallet.h"

/* The holds paid together, each as hold_get() reads it (strings in a),
 * then as the payment leaves them. */
static enum bo_status
pay(struct db *db, struct arena *a, const int64_t *holds, size_t n,
    int64_t user, int64_t now, struct idem *k, int64_t *payment_id,
    int64_t *amount, int *already, struct hold_view *views)
{
	enum { NEW_ID, NEW__COLS };
	static struct sql insert_q = SQL(NEW__COLS,
	    "INSERT INTO payment(hold_id, user_id, amount, created_at)"
	    " VALUES (:hold, :user, :amount, :now) RETURNING id");
	/* The seat is sold, by this payment (the schema makes it name
	 * one). */
	static struct sql paid_q = SQL(0,
	    "UPDATE hold SET state = 'PAID', payment_id = :payment"
	    " WHERE id = :hold AND " UNPAID_HOLD("hold"));
	int64_t balance, changes = 0, total = 0, paid_by = 0;
	size_t paid = 0;
	struct sql_stmt *st;
	enum bo_status s = BO_OK;

	*already = 0;
	*payment_id = 0;
	*amount = 0;
	if (n == 0 || n > ORDER_PAY_MAX)
		return BO_INVALID;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (holds[i] == holds[j])
				return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k)) {
		db_rollback(db); /* a settled key changed nothing */
		return s;
	}
	for (size_t i = 0; i < n && s == BO_OK; i++) {
		struct hold_view *h = &views[i];

		if ((s = hold_get(db, a, holds[i], user, now, h)) != BO_OK)
			break;
		if (h->state == HOLD_PAID && (paid_by == 0 ||
		    paid_by == h->payment_id)) {
			paid_by = h->payment_id;
			paid++;
			total += h->price;
		} else if (h->state != HOLD_HELD) {
			s = BO_GONE;
		} else {
			total += h->price;
		}
	}
	if (s == BO_OK && paid == n) { /* paid before, together */
		*already = 1;
		*payment_id = paid_by;
		*amount = total;
		db_rollback(db); /* nothing to write */
		return s;
	}
	if (s == BO_OK && paid > 0)
		s = BO_GONE; /* some paid, some not: not this payment */
	if (s == BO_OK) {
		st = sql_prepare(db, &insert_q);
		/* A payment of one seat names it, as every payment did
		 * before orders (schema/016_order_payment.sql). */
		if (n == 1)
			sql_bind_int(st, ":hold", holds[0]);
		else
			sql_bind_null(st, ":hold");
		sql_bind_int(st, ":user", user);
		sql_bind_int(st, ":amount", total);
		sql_bind_int(st, ":now", now);
		s = sql_one_int(db, st, payment_id);
	}
	/* One debit for all of them. */
	if (s == BO_OK)
		s = wallet_move_locked(db, user, LEDGER_PAYMENT, -total,
		    *payment_id, NULL, now, &balance, NULL);
	for (size_t i = 0; i < n && s == BO_OK; i++) {
		st = sql_prepare(db, &paid_q);
		sql_bind_int(st, ":payment", *payment_id);
		sql_bind_int(st, ":hold", holds[i]);
		sql_bind_int(st, ":now", now);
		s = sql_run(db, st, &changes);
		/* hold_get saw it HELD in this transaction: exactly one row. */
		assert(s != BO_OK || changes == 1);
	}
	/* The turn ends when the buyer holds nothing more of the concert:
	 * the slot goes to the next buyer in line. */
	for (size_t i = 0; i < n && s == BO_OK; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (views[j].concert_id == views[i].concert_id)
				break;
		if (j == i)
			s = queue_turn_end(db, views[i].concert_id, user, now);
	}
	if (s != BO_OK) {
		*payment_id = 0;
		return sql_end(db, s);
	}
	*amount = total;
	idem_add_ref(k, IDEM_REF_PAYMENT, *payment_id);
	for (size_t i = 0; i < n; i++) {
		views[i].state = HOLD_PAID; /* as this transaction leaves it */
		views[i].payment_id = *payment_id;
		views[i].paid_at = now;
		idem_add_ref(k, IDEM_REF_HOLD, holds[i]);
	}
	if ((s = idem_commit(db, user, k, now)) != BO_OK || idem_settled(k))
		*payment_id = 0; /* rolled back */
	return s;
}

enum bo_status
payment_pay(struct db *db, int64_t hold_id, int64_t user, int64_t now,
    struct idem *k, int64_t *payment_id, int *already)
{
	struct arena a = ARENA_INIT;
	struct hold_view h;
	int64_t amount;
	enum bo_status s;

	s = pay(db, &a, &hold_id, 1, user, now, k, payment_id, &amount, already,
	    &h);
	arena_free(&a);
	return s;
}

enum bo_status
payment_pay_holds(struct db *db, struct arena *a, const int64_t *holds,
    size_t n, int64_t user, int64_t now, struct idem *k, int *already,
    struct payment_view *out)
{
	enum bo_status s;

	memset(out, 0, sizeof *out);
	out->holds = arena_alloc(a, (n ? n : 1) * sizeof *out->holds);
	s = pay(db, a, holds, n, user, now, k, &out->payment_id, &out->amount,
	    already, out->holds);
	if (s == BO_OK && out->payment_id != 0) {
		out->n = n;
		out->paid_at = out->holds[0].paid_at;
	} else {
		out->payment_id = 0;
	}
	return s;
}

enum bo_status
bookings_list(struct db *db, struct arena *a, int64_t user, int64_t now,
    struct keyset *k, struct booking **out, size_t *n)
{
	/* The buyer's paid seats by show (BOOKINGS_KEY), one page. The
	 * cursor :before is the last seat shown; its own key, read with the
	 * same :since, says where the next page resumes, so a page may end
	 * in the middle of a show and the next one starts at its next seat.
	 * A cursor that is none of the buyer's seats gives an empty page
	 * (the row value against no row is NULL), never another buyer's. */
	enum { BOOK_PAYMENT, BOOK_AMOUNT, BOOK_PAID_AT, BOOK_HOLD, BOOK_SECTION,
	    BOOK_ROW, BOOK_NUMBER, BOOK_PERF, BOOK_STARTS, BOOK_TITLE,
	    BOOK_VENUE, BOOK_TICKET, BOOK_CODE, BOOK_REFUNDED, BOOK_CANCELLED,
	    BOOK_USED_AT, BOOK_DOOR, BOOK__COLS };
	/* The sort key: the shows to come, or begun less than
	 * CHECKIN_SHOW_HOURS ago (the door still lets people in), the next
	 * first; then the past ones, the latest first; within a show, seat
	 * order (seats are added in hall order); the hold last, for a seat
	 * bought again after a refund. */
#define BOOKINGS_KEY(p, s, h)                                                  \
	p ".starts_at < :since, CASE WHEN " p ".starts_at < :since"          \
	" THEN -" p ".starts_at ELSE " p ".starts_at END, " p ".id, " s ".id, " \
	h ".id"
	static struct sql q = SQL(BOOK__COLS,
	    "SELECT pay.id, h.price, pay.created_at, h.id, s.section,"
	    " s.row_label, s.number, p.id, p.starts_at, c.title, c.venue,"
	    " t.id, t.code, t.refunded_at, coalesce(p.cancelled_at, 0),"
	    " coalesce(ck.at, 0), coalesce(ck.door, '')"
	    " FROM hold h JOIN payment pay ON pay.id = h.payment_id"
	    " JOIN ticket t ON t.hold_id = h.id"
	    " LEFT JOIN checkin ck ON ck.ticket = t.id"
	    " JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = h.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " WHERE pay.user_id = :user AND (:first OR ("
	    BOOKINGS_KEY("p", "s", "h") ") > (SELECT " BOOKINGS_KEY("bp", "bs", "bh")
	    " FROM hold bh JOIN payment bpay ON bpay.id = bh.payment_id"
	    " JOIN seat bs ON bs.id = bh.seat_id"
	    " JOIN performance bp ON bp.id = bh.performance_id"
	    " WHERE bh.id = :before AND bpay.user_id = :user))"
	    " ORDER BY " BOOKINGS_KEY("p", "s", "h") " LIMIT :limit");
#undef BOOKINGS_KEY
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	k->next = 0;
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":first", k->before == 0);
	sql_bind_int(st, ":before", keyset_before(k));
	sql_bind_int(st, ":since", now - CHECKIN_SHOW_HOURS * 3600);
	sql_bind_int(st, ":limit", keyset_fetch(k));
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		struct booking *b = arena_push(a, (void **)out, n, &cap, sizeof *b);

		b->payment_id = sql_int(st, BOOK_PAYMENT);
		b->amount = sql_int(st, BOOK_AMOUNT);
		b->paid_at = sql_int(st, BOOK_PAID_AT);
		b->hold_id = sql_int(st, BOOK_HOLD);
		b->section = arena_strdup(a, sql_text(st, BOOK_SECTION));
		b->row = arena_strdup(a, sql_text(st, BOOK_ROW));
		b->number = sql_int(st, BOOK_NUMBER);
		b->performance_id = sql_int(st, BOOK_PERF);
		b->starts_at = sql_int(st, BOOK_STARTS);
		b->concert_title = arena_strdup(a, sql_text(st, BOOK_TITLE));
		b->venue = arena_strdup(a, sql_text(st, BOOK_VENUE));
		b->ticket_id = sql_int(st, BOOK_TICKET);
		b->ticket_code = arena_strdup(a, sql_text(st, BOOK_CODE));
		b->refunded_at = sql_is_null(st, BOOK_REFUNDED) ? 0 :
		    sql_int(st, BOOK_REFUNDED);
		b->cancelled_at = sql_int(st, BOOK_CANCELLED);
		b->used_at = sql_int(st, BOOK_USED_AT);
		b->door = arena_strdup(a, sql_text(st, BOOK_DOOR));
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		*n = keyset_cut(k, *n, *n > (size_t)k->limit ?
		    (*out)[k->limit - 1].hold_id : 0);
	return db_status(db, rc, "bookings_list");
}
