/*
 * refund.c — refunds, cancellations, cancelled performances (see refund.h).
 */
#include "refund.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "live.h"
#include "sql.h"
#include "wallet.h"

/*
 * When the ticket t (an alias) was let in at the door (012_checkin.sql),
 * 0 if never: every refund and cancellation refuses a used ticket
 * (BO_CONFLICT); cancel-performance refunds it all the same. Read inside
 * the refund's write transaction, as checkin_admit reads refunded_at
 * inside its own: whichever commits first wins.
 */
#define TICKET_USED_AT(t)                                                     \
	"coalesce((SELECT ci.at FROM checkin ci WHERE ci.ticket = " t ".id), 0)"

/*
 * A ticket as read_ticket() reads it: the columns every statement that
 * reads a struct refund_ticket selects, in this order, from ticket t.
 */
enum { T_ID, T_HOLD, T_USER, T_PERF, T_CODE, T_EMAIL, T_SECTION, T_ROW,
    T_NUMBER, T_PRICE, T_PAID_AT, T_STARTS, T_REFUNDED, T_USED, T_CANCELLED,
    T_TITLE, T_VENUE, T__COLS };
#define TICKET_COLUMNS                                                        \
	"t.id, t.hold_id, h.user_id, t.performance_id, t.code, u.email,"      \
	" s.section, s.row_label, s.number,"                                  \
	" CASE WHEN pay.id IS NULL THEN 0 ELSE h.price END,"                  \
	" t.created_at, p.starts_at, coalesce(t.refunded_at, 0), "            \
	TICKET_USED_AT("t") ", coalesce(p.cancelled_at, 0), c.title, c.venue"  \
	" FROM ticket t JOIN hold h ON h.id = t.hold_id"                      \
	" JOIN user u ON u.id = h.user_id JOIN seat s ON s.id = h.seat_id"    \
	" JOIN performance p ON p.id = t.performance_id"                      \
	" JOIN concert c ON c.id = p.concert_id"                              \
	" LEFT JOIN payment pay ON pay.id = h.payment_id"

static void
read_ticket(struct sql_stmt *st, struct arena *a, struct refund_ticket *t)
{
	t->ticket_id = sql_int(st, T_ID);
	t->hold_id = sql_int(st, T_HOLD);
	t->user_id = sql_int(st, T_USER);
	t->performance_id = sql_int(st, T_PERF);
	snprintf(t->code, sizeof t->code, "%s", sql_text(st, T_CODE));
	t->email = arena_strdup(a, sql_text(st, T_EMAIL));
	t->section = arena_strdup(a, sql_text(st, T_SECTION));
	t->row = arena_strdup(a, sql_text(st, T_ROW));
	t->number = sql_int(st, T_NUMBER);
	t->price = sql_int(st, T_PRICE);
	t->paid_at = sql_int(st, T_PAID_AT);
	t->starts_at = sql_int(st, T_STARTS);
	t->refunded_at = sql_int(st, T_REFUNDED);
	t->used_at = sql_int(st, T_USED);
	t->cancelled_at = sql_int(st, T_CANCELLED);
	t->concert_title = arena_strdup(a, sql_text(st, T_TITLE));
	t->venue = arena_strdup(a, sql_text(st, T_VENUE));
}

/* Runs st (bound) for at most one ticket into *out: BO_NOT_FOUND when
 * none. Resets st. */
static enum bo_status
one_ticket(struct db *db, struct sql_stmt *st, struct arena *a,
    struct refund_ticket *out, const char *where)
{
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		read_ticket(st, a, out);
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, where);
}

/* Inside a transaction or not: the ticket with canonical code. */
static enum bo_status
by_code(struct db *db, struct arena *a, const char *code,
    struct refund_ticket *out)
{
	static struct sql q = SQL(T__COLS,
	    "SELECT " TICKET_COLUMNS " WHERE t.code = :code");
	struct sql_stmt *st = sql_prepare(db, &q);

	sql_bind_text(st, ":code", code);
	return one_ticket(db, st, a, out, "refund: ticket by code");
}

/* The buyer's own ticket of hold_id: BO_NOT_FOUND for another's. */
static enum bo_status
by_hold(struct db *db, struct arena *a, int64_t hold_id, int64_t user,
    struct refund_ticket *out)
{
	static struct sql q = SQL(T__COLS,
	    "SELECT " TICKET_COLUMNS " WHERE t.hold_id = :hold"
	    " AND h.user_id = :user");
	struct sql_stmt *st = sql_prepare(db, &q);

	sql_bind_int(st, ":hold", hold_id);
	sql_bind_int(st, ":user", user);
	return one_ticket(db, st, a, out, "refund: ticket by hold");
}

/*
 * Inside the caller's write transaction: gives ticket t (as read in this
 * transaction) back, as refund.h says, and writes the audit row of what
 * (by who, with why after the amount when not NULL). door_ok: a ticket
 * used at the door is refunded too (a cancelled performance).
 */
static enum bo_status
give_back_locked(struct db *db, struct refund_ticket *t,
    const struct audit_actor *who, enum audit_action what, const char *why,
    int door_ok, int64_t now)
{
	static struct sql ticket_q = SQL(0,
	    "UPDATE ticket SET refunded_at = :now WHERE id = :ticket"
	    " AND refunded_at IS NULL");
	/* The seat is free again: the hold leaves the partial UNIQUE index
	 * hold_one_live_per_seat. */
	static struct sql hold_q = SQL(0,
	    "UPDATE hold SET state = 'RELEASED' WHERE id = :hold"
	    " AND state = 'PAID'");
	char grouped[TICKET_CODE_GROUPED_SIZE], subject[64], before[400],
	    after[400];
	struct sql_stmt *st;
	enum bo_status s;
	int64_t balance = 0, changes = 0;

	assert(db->writing);
	if (t->refunded_at != 0)
		return BO_GONE;
	if (t->used_at != 0 && !door_ok)
		return BO_CONFLICT;
	if ((s = wallet_move_locked(db, t->user_id, LEDGER_REFUND, t->price,
	    t->hold_id, NULL, now, &balance, NULL)) != BO_OK)
		return s;
	st = sql_prepare(db, &ticket_q);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":ticket", t->ticket_id);
	if ((s = sql_run(db, st, &changes)) != BO_OK)
		return s;
	/* Read unrefunded in this transaction: exactly one row. */
	assert(changes == 1);
	st = sql_prepare(db, &hold_q);
	sql_bind_int(st, ":hold", t->hold_id);
	if ((s = sql_run(db, st, &changes)) != BO_OK)
		return s;
	assert(changes == 1);
	ticket_code_group(t->code, grouped);
	snprintf(subject, sizeof subject, "ticket %s", grouped);
	snprintf(before, sizeof before, "paid %lld by %s: performance %lld, "
	    "%s · Row %s · Seat %lld", (long long)t->price, t->email,
	    (long long)t->performance_id, t->section, t->row,
	    (long long)t->number);
	snprintf(after, sizeof after, "refunded %lld to %s (balance %lld)%s%s; "
	    "seat free", (long long)t->price, t->email, (long long)balance,
	    why != NULL ? ", " : "", why != NULL ? why : "");
	if ((s = audit_write_locked(db, who, what, subject, before, after,
	    now)) != BO_OK)
		return s;
	t->refunded_at = now;
	return BO_OK;
}

enum bo_status
refund_find(struct db *db, struct arena *a, const char *code,
    struct refund_ticket *out)
{
	return by_code(db, a, code, out);
}

enum bo_status
refund_ticket(struct db *db, struct arena *a, const char *code,
    const struct audit_actor *who, int64_t now, struct refund_ticket *out)
{
	enum bo_status s;

	memset(out, 0, sizeof *out);
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = by_code(db, a, code, out)) == BO_OK)
		s = give_back_locked(db, out, who, AUDIT_REFUND, NULL, 0, now);
	return sql_end(db, s);
}

int64_t
refund_cancel_deadline(int64_t starts_at, int64_t cancel_until_hours)
{
	if (cancel_until_hours < 0)
		return 0;
	return starts_at - cancel_until_hours * 3600;
}

enum bo_status
refund_find_mine(struct db *db, struct arena *a, int64_t hold_id,
    int64_t user, struct refund_ticket *out)
{
	return by_hold(db, a, hold_id, user, out);
}

enum bo_status
refund_cancel(struct db *db, struct arena *a, int64_t hold_id, int64_t user,
    int64_t cancel_until_hours, int64_t now, struct refund_ticket *out)
{
	const struct audit_actor buyer = { user, NULL };
	enum bo_status s;
	int64_t deadline;

	assert(user > 0);
	memset(out, 0, sizeof *out);
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = by_hold(db, a, hold_id, user, out)) == BO_OK) {
		deadline = refund_cancel_deadline(out->starts_at,
		    cancel_until_hours);
		/* Refunded before says so even after the deadline. */
		if (out->refunded_at == 0 && (deadline == 0 || now >= deadline))
			s = BO_FORBIDDEN;
		else
			s = give_back_locked(db, out, &buyer, AUDIT_CANCEL,
			    "cancelled by the buyer", 0, now);
	}
	return sql_end(db, s);
}

/* The first transaction of refund_cancel_performance: the performance
 * cancelled, its live holds voided, the audit row. */
static enum bo_status
cancel_locked(struct db *db, int64_t perf, const struct audit_actor *who,
    int64_t now, struct refund_cancelled *out)
{
	enum { P_CANCELLED, P_STARTS, P_TICKETS, P__COLS };
	static struct sql perf_q = SQL(P__COLS,
	    "SELECT coalesce(cancelled_at, 0), starts_at, (SELECT count(*)"
	    " FROM ticket t WHERE t.performance_id = :perf"
	    " AND t.refunded_at IS NULL) FROM performance WHERE id = :perf");
	static struct sql cancel_q = SQL(0,
	    "UPDATE performance SET cancelled_at = :now WHERE id = :perf"
	    " AND cancelled_at IS NULL");
	static struct sql void_q = SQL(0,
	    "UPDATE hold SET state = 'RELEASED' WHERE performance_id = :perf"
	    " AND " UNPAID_HOLD("hold"));
	struct sql_stmt *st = sql_prepare(db, &perf_q);
	char subject[64], after[200];
	int64_t tickets = 0;
	enum bo_status s;
	int rc;

	sql_bind_int(st, ":perf", perf);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		out->cancelled_at = sql_int(st, P_CANCELLED);
		tickets = sql_int(st, P_TICKETS);
	}
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "cancel_performance");
	if (out->cancelled_at != 0) {
		out->already = 1;
		return BO_OK; /* nothing to write: the refunds go on */
	}
	out->cancelled_at = now;
	st = sql_prepare(db, &cancel_q);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":perf", perf);
	if ((s = sql_run(db, st, NULL)) != BO_OK)
		return s;
	st = sql_prepare(db, &void_q);
	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, &out->holds_voided)) != BO_OK)
		return s;
	snprintf(subject, sizeof subject, "performance %lld", (long long)perf);
	snprintf(after, sizeof after, "cancelled; %lld live holds voided, "
	    "%lld tickets to refund", (long long)out->holds_voided,
	    (long long)tickets);
	return audit_write_locked(db, who, AUDIT_CANCEL_PERFORMANCE, subject,
	    "on sale", after, now);
}

/* One batch: up to REFUND_BATCH tickets of perf not refunded yet, each
 * given back; *n how many (0: none was left). */
static enum bo_status
refund_batch(struct db *db, int64_t perf, const struct audit_actor *who,
    int64_t now, struct refund_cancelled *out, int64_t *n)
{
	static struct sql q = SQL(T__COLS,
	    "SELECT " TICKET_COLUMNS " WHERE t.performance_id = :perf"
	    " AND t.refunded_at IS NULL ORDER BY t.id LIMIT :limit");
	struct arena a = ARENA_INIT;
	struct refund_ticket *list = NULL;
	struct sql_stmt *st;
	enum bo_status s;
	size_t cap = 0, k = 0;
	int64_t amount = 0;
	int rc;

	*n = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":perf", perf);
	sql_bind_int(st, ":limit", REFUND_BATCH);
	while ((rc = sql_step(st)) == SQLITE_ROW)
		read_ticket(st, &a, arena_push(&a, (void **)&list, &k, &cap,
		    sizeof *list));
	sql_reset(st);
	s = db_status(db, rc, "cancel_performance: tickets");
	for (size_t i = 0; s == BO_OK && i < k; i++) {
		s = give_back_locked(db, &list[i], who, AUDIT_REFUND,
		    "performance cancelled", 1, now);
		amount += list[i].price;
	}
	arena_free(&a);
	if ((s = sql_end(db, s)) == BO_OK) {
		*n = (int64_t)k;
		out->tickets_refunded += (int64_t)k;
		out->amount_refunded += amount;
		out->batches += k > 0;
	}
	return s;
}

enum bo_status
refund_cancel_performance(struct db *db, int64_t perf,
    const struct audit_actor *who, int64_t now, struct refund_cancelled *out)
{
	enum bo_status s;
	int64_t n;

	memset(out, 0, sizeof *out);
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = sql_end(db, cancel_locked(db, perf, who, now, out))) != BO_OK)
		return s;
	do
		s = refund_batch(db, perf, who, now, out, &n);
	while (s == BO_OK && n == REFUND_BATCH);
	return s;
}
