/*
 * payment.c — payment and bookings (see payment.h).
 */
#include "payment.h"

#include <assert.h>
#include <string.h>

#include "hold.h"
#include "wallet.h"

/* Steps a statement that takes n integer parameters, given in order. */
static int
step_ints(struct db *db, enum stmt id, int n, const int64_t *v)
{
	sqlite3_stmt *st = db_stmt(db, id);
	int rc;

	for (int i = 0; i < n; i++)
		db_bind_int(st, i + 1, v[i]);
	rc = sqlite3_step(st);
	db_reset(st);
	return rc;
}

/* payment_pay, and when view is not NULL payment_pay_view (strings in a). */
static enum bo_status
pay(struct db *db, struct arena *a, int64_t hold_id, int64_t user, int64_t now,
    struct idem *k, int64_t *payment_id, int *already, struct hold_view *view)
{
	struct arena own = ARENA_INIT;
	struct hold_view h;
	sqlite3_stmt *st;
	enum bo_status s;
	int64_t balance;
	int rc = SQLITE_DONE;

	*already = 0;
	*payment_id = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k)) {
		db_rollback(db);
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
	if (s != BO_OK || *already) {
		db_rollback(db);
		return s;
	}
	s = wallet_move_locked(db, user, -h.price, hold_id, NULL, now, &balance);
	if (s == BO_OK) {
		st = db_stmt(db, STMT_PAYMENT_INSERT);
		db_bind_int(st, 1, hold_id);
		db_bind_int(st, 2, user);
		db_bind_int(st, 3, h.price);
		db_bind_int(st, 4, now);
		rc = sqlite3_step(st);
		db_reset(st);
		*payment_id = sqlite3_last_insert_rowid(db->handle);
		if (rc == SQLITE_DONE)
			rc = step_ints(db, STMT_HOLD_MARK_PAID, 1, (int64_t[]){ hold_id });
		/* hold_get saw it HELD in this transaction: exactly one row. */
		assert(rc != SQLITE_DONE || sqlite3_changes(db->handle) == 1);
		if (rc == SQLITE_DONE)
			rc = step_ints(db, STMT_QUEUE_DONE, 3,
			    (int64_t[]){ h.concert_id, user, now });
		s = db_status(db, rc, "payment_pay");
	}
	if (s != BO_OK) {
		db_rollback(db);
		*payment_id = 0;
		return s;
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
bookings_list(struct db *db, struct arena *a, int64_t user, struct booking **out,
    size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_BOOKINGS);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	db_bind_int(st, 1, user);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct booking *b = arena_push(a, (void **)out, n, &cap, sizeof *b);

		b->payment_id = sqlite3_column_int64(st, 0);
		b->amount = sqlite3_column_int64(st, 1);
		b->paid_at = sqlite3_column_int64(st, 2);
		b->hold_id = sqlite3_column_int64(st, 3);
		b->section = arena_strdup(a, db_col_text(st, 4));
		b->row = arena_strdup(a, db_col_text(st, 5));
		b->number = sqlite3_column_int64(st, 6);
		b->performance_id = sqlite3_column_int64(st, 7);
		b->starts_at = sqlite3_column_int64(st, 8);
		b->concert_title = arena_strdup(a, db_col_text(st, 9));
		b->venue = arena_strdup(a, db_col_text(st, 10));
	}
	db_reset(st);
	return db_status(db, rc, "bookings_list");
}
