/*
 * hold.c — seat holds (see hold.h).
 */
#include "hold.h"

#include <string.h>

#include "catalog.h"

/* Inside the transaction: may this buyer hold this seat now? */
static enum bo_status
may_hold(struct db *db, int64_t perf, int64_t seat, int64_t user, int64_t now,
    const struct settings *set, int64_t *price)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HOLD_SEAT_FOR);
	struct performance p;
	int64_t concert = 0;
	int rc;

	memset(&p, 0, sizeof p);
	db_bind_int(st, 1, seat);
	db_bind_int(st, 2, perf);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*price = sqlite3_column_int64(st, 0);
		concert = sqlite3_column_int64(st, 1);
		p.starts_at = sqlite3_column_int64(st, 2);
		p.sale_opens_at = sqlite3_column_int64(st, 3);
		p.sale_closes_at = sqlite3_column_int64(st, 4);
	}
	db_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "hold_create");
	if (performance_sale_state(&p, now) != SALE_OPEN)
		return BO_GONE;
	if (db_count(db, STMT_QUEUE_IS_ACTIVE, 3, (int64_t[]){ concert, user, now },
	    &rc) == 0)
		return rc == SQLITE_DONE ? BO_FORBIDDEN : db_status(db, rc, "hold_create");
	if (db_count(db, STMT_HOLD_COUNT_LIVE, 3, (int64_t[]){ perf, user, now },
	    &rc) >= set->max_holds)
		return rc == SQLITE_DONE ? BO_LIMIT : db_status(db, rc, "hold_create");
	return rc == SQLITE_DONE ? BO_OK : db_status(db, rc, "hold_create");
}

/* hold_create, and when view is not NULL hold_create_view. */
static enum bo_status
create(struct db *db, struct arena *a, int64_t perf, int64_t seat,
    int64_t user, int64_t now, const struct settings *set, struct idem *k,
    int64_t *hold_id, struct hold_view *view)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int64_t price = 0;
	int rc;

	*hold_id = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	/* A replay is answered before anything is checked again: the
	 * buyer's own hold must not come back as "taken". */
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k) ||
	    (s = may_hold(db, perf, seat, user, now, set, &price)) != BO_OK) {
		db_rollback(db);
		return s;
	}
	st = db_stmt(db, STMT_HOLD_LAPSE_SEAT);
	db_bind_int(st, 1, seat);
	db_bind_int(st, 2, now);
	rc = sqlite3_step(st);
	db_reset(st);
	if (rc == SQLITE_DONE) {
		st = db_stmt(db, STMT_HOLD_INSERT);
		db_bind_int(st, 1, seat);
		db_bind_int(st, 2, perf);
		db_bind_int(st, 3, user);
		db_bind_int(st, 4, price);
		db_bind_int(st, 5, now);
		db_bind_int(st, 6, now + set->hold_seconds);
		rc = sqlite3_step(st);
		db_reset(st);
		*hold_id = sqlite3_last_insert_rowid(db->handle);
	}
	/* The partial UNIQUE index answers "taken": BO_CONFLICT. */
	s = db_status(db, rc, "hold_create");
	if (s == BO_OK && view != NULL)
		s = hold_get(db, a, *hold_id, user, now, view);
	if (s != BO_OK) {
		db_rollback(db);
		*hold_id = 0;
		if (view != NULL)
			view->id = 0;
		return s;
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

static enum hold_state
state_of(const char *state, int64_t expires_at, int64_t now)
{
	if (strcmp(state, "PAID") == 0)
		return HOLD_PAID;
	if (strcmp(state, "RELEASED") == 0)
		return HOLD_RELEASED;
	if (strcmp(state, "HELD") == 0 && expires_at > now)
		return HOLD_HELD;
	return HOLD_EXPIRED;
}

static const char *
dup_col(struct arena *a, sqlite3_stmt *st, int col)
{
	return arena_strdup(a, db_col_text(st, col));
}

enum bo_status
hold_get(struct db *db, struct arena *a, int64_t hold_id, int64_t user,
    int64_t now, struct hold_view *h)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HOLD_GET);
	int rc;

	memset(h, 0, sizeof *h);
	db_bind_int(st, 1, hold_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->id = sqlite3_column_int64(st, 0);
		h->user_id = sqlite3_column_int64(st, 1);
		h->price = sqlite3_column_int64(st, 3);
		h->created_at = sqlite3_column_int64(st, 4);
		h->expires_at = sqlite3_column_int64(st, 5);
		h->state = state_of(db_col_text(st, 2), h->expires_at, now);
		h->section = dup_col(a, st, 6);
		h->row = dup_col(a, st, 7);
		h->number = sqlite3_column_int64(st, 8);
		h->performance_id = sqlite3_column_int64(st, 9);
		h->starts_at = sqlite3_column_int64(st, 10);
		h->concert_id = sqlite3_column_int64(st, 11);
		h->concert_title = dup_col(a, st, 12);
		h->venue = dup_col(a, st, 13);
		h->payment_id = sqlite3_column_int64(st, 14);
		h->paid_at = sqlite3_column_int64(st, 15);
	}
	db_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "hold_get");
	return h->user_id == user ? BO_OK : BO_FORBIDDEN;
}

enum bo_status
hold_release(struct db *db, int64_t hold_id, int64_t user, int64_t now)
{
	struct arena a = ARENA_INIT;
	struct hold_view h;
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = hold_get(db, &a, hold_id, user, now, &h)) == BO_OK &&
	    h.state != HOLD_HELD)
		s = BO_GONE;
	arena_free(&a);
	if (s != BO_OK) {
		db_rollback(db);
		return s;
	}
	st = db_stmt(db, STMT_HOLD_RELEASE);
	db_bind_int(st, 1, hold_id);
	db_bind_int(st, 2, user);
	db_bind_int(st, 3, now);
	rc = sqlite3_step(st);
	db_reset(st);
	if ((s = db_status(db, rc, "hold_release")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
holds_mine(struct db *db, struct arena *a, int64_t user, int64_t perf,
    int64_t now, struct held_seat **out, size_t *n)
{
	sqlite3_stmt *st = db_stmt(db, STMT_HOLD_MINE);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	db_bind_int(st, 1, user);
	db_bind_int(st, 2, perf);
	db_bind_int(st, 3, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct held_seat *h = arena_push(a, (void **)out, n, &cap, sizeof *h);

		h->hold_id = sqlite3_column_int64(st, 0);
		h->section = dup_col(a, st, 1);
		h->row = dup_col(a, st, 2);
		h->number = sqlite3_column_int64(st, 3);
		h->price = sqlite3_column_int64(st, 4);
		h->expires_at = sqlite3_column_int64(st, 5);
	}
	db_reset(st);
	return db_status(db, rc, "holds_mine");
}

enum bo_status
holds_expire_all(struct db *db, int64_t now, int64_t *n)
{
	return db_write_ints(db, STMT_HOLD_EXPIRE_ALL, 1, &now, n);
}
