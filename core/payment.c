/*
 * payment.c — payment and bookings (see payment.h).
 */
#include "payment.h"

#include <assert.h>
#include <string.h>

#include "hold.h"
#include "live.h"
#include "queue.h"
#include "sql.h"
#include "wallet.h"

/* payment_pay, and when view is not NULL payment_pay_view (strings in a). */
static enum bo_status
pay(struct db *db, struct arena *a, int64_t hold_id, int64_t user, int64_t now,
    struct idem *k, int64_t *payment_id, int *already, struct hold_view *view)
{
	enum { NEW_ID, NEW__COLS };
	static struct sql insert_q = SQL(NEW__COLS,
	    "INSERT INTO payment(hold_id, user_id, amount, created_at)"
	    " VALUES (:hold, :user, :amount, :now) RETURNING id");
	/* The seat is sold. */
	static struct sql paid_q = SQL(0,
	    "UPDATE hold SET state = 'PAID' WHERE id = :hold"
	    " AND " UNPAID_HOLD("hold"));
	struct arena own = ARENA_INIT;
	struct hold_view h;
	struct sql_stmt *st;
	enum bo_status s;
	int64_t balance, changes = 0;

	*already = 0;
	*payment_id = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k)) {
		db_rollback(db); /* a settled key changed nothing */
		return s;
	}
	s = hold_get(db, view != NULL ? a : &own, hold_id, user, now, &h);
	arena_free(&own);
	if (view != NULL)
		*view = h;
	if (s == BO_OK && h.state == HOLD_PAID) {
		*already = 1;
		*payment_id = h.payment_id;
	} else if (s == BO_OK && h.state != HOLD_HELD) {
		s = BO_GONE;
	}
	if (*already) {
		db_rollback(db); /* paid before: nothing to write */
		return s;
	}
	if (s == BO_OK)
		s = wallet_move_locked(db, user, LEDGER_PAYMENT, -h.price,
		    hold_id, NULL, now, &balance, NULL);
	if (s == BO_OK) {
		st = sql_prepare(db, &insert_q);
		sql_bind_int(st, ":hold", hold_id);
		sql_bind_int(st, ":user", user);
		sql_bind_int(st, ":amount", h.price);
		sql_bind_int(st, ":now", now);
		s = sql_one_int(db, st, payment_id);
	}
	if (s == BO_OK) {
		st = sql_prepare(db, &paid_q);
		sql_bind_int(st, ":hold", hold_id);
		sql_bind_int(st, ":now", now);
		s = sql_run(db, st, &changes);
		/* hold_get saw it HELD in this transaction: exactly one row. */
		assert(s != BO_OK || changes == 1);
	}
	if (s == BO_OK) {
		/* The turn ends when the buyer holds nothing more of the
		 * concert: the slot goes to the next buyer in line. */
		s = queue_turn_end(db, h.concert_id, user, now);
	}
	if (s != BO_OK) {
		*payment_id = 0;
		return sql_end(db, s);
	}
	if (view != NULL) { /* as this transaction leaves it */
		view->state = HOLD_PAID;
		view->payment_id = *payment_id;
		view->paid_at = now;
	}
	idem_add_ref(k, IDEM_REF_PAYMENT, *payment_id);
	idem_add_ref(k, IDEM_REF_HOLD, hold_id);
	if ((s = idem_commit(db, user, k, now)) != BO_OK || idem_settled(k)) {
		*payment_id = 0; /* rolled back */
		if (view != NULL)
			view->id = 0;
	}
	return s;
}

enum bo_status
payment_pay(struct db *db, int64_t hold_id, int64_t user, int64_t now,
    struct idem *k, int64_t *payment_id, int *already)
{
	return pay(db, NULL, hold_id, user, now, k, payment_id, already, NULL);
}

enum bo_status
payment_pay_view(struct db *db, struct arena *a, int64_t hold_id, int64_t user,
    int64_t now, struct idem *k, int *already, struct hold_view *out)
{
	int64_t payment_id;

	memset(out, 0, sizeof *out);
	return pay(db, a, hold_id, user, now, k, &payment_id, already, out);
}

enum bo_status
bookings_list(struct db *db, struct arena *a, int64_t user, struct keyset *k,
    struct booking **out, size_t *n)
{
	/* The buyer's paid seats, newest payment first, one page: a range of
	 * payment_user (user_id, id). */
	enum { BOOK_PAYMENT, BOOK_AMOUNT, BOOK_PAID_AT, BOOK_HOLD, BOOK_SECTION,
	    BOOK_ROW, BOOK_NUMBER, BOOK_PERF, BOOK_STARTS, BOOK_TITLE,
	    BOOK_VENUE, BOOK_TICKET, BOOK_CODE, BOOK_REFUNDED, BOOK_CANCELLED,
	    BOOK__COLS };
	static struct sql q = SQL(BOOK__COLS,
	    "SELECT pay.id, pay.amount, pay.created_at, h.id, s.section,"
	    " s.row_label, s.number, p.id, p.starts_at, c.title, c.venue,"
	    " t.id, t.code, t.refunded_at, coalesce(p.cancelled_at, 0)"
	    " FROM payment pay JOIN hold h ON h.id = pay.hold_id"
	    " JOIN ticket t ON t.hold_id = h.id"
	    " JOIN seat s ON s.id = h.seat_id"
	    " JOIN performance p ON p.id = h.performance_id"
	    " JOIN concert c ON c.id = p.concert_id"
	    " WHERE pay.user_id = :user AND pay.id < :before"
	    " ORDER BY pay.id DESC LIMIT :limit");
	struct sql_stmt *st = sql_prepare(db, &q);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	k->next = 0;
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":before", keyset_before(k));
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
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		*n = keyset_cut(k, *n, *n > (size_t)k->limit ?
		    (*out)[k->limit - 1].payment_id : 0);
	return db_status(db, rc, "bookings_list");
}
