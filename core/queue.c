/*
 * queue.c — the waiting line by calling (see queue.h).
 *
 * The order of the line. Every ticket has a line_key, unique within its
 * concert, and the line is the tickets in line_key order:
 *
 *  - A join in the pre-queue (from the concert's prequeue_opens until its
 *    first sale opens) draws a random key in [0, 2^62) from libsodium.
 *    Nothing orders the pre-queue while it fills: arriving first, or with
 *    a thousand bots, gives no better place.
 *  - A join after the opening takes the next key at or above 2^62 (one
 *    more than the last key of the line): behind the whole pre-queue, in
 *    arrival order.
 *
 * So the opening needs no big transaction: the first write after it (a
 * join, a status, the public state's render, cron) makes the concert's
 * queue_counter row with next_place = every ticket so far + 1, and from then
 * on a late arrival's place is simply next_place (counted in its own join
 * transaction). A pre-queue ticket's place is its rank by key — counted
 * when its buyer looks (a read) and written when it is called. Nothing
 * joins the pre-queue once the row exists (the join checks it under the
 * write lock), so the ranks are final from the opening on.
 *
 * Calling walks the line from serving_key upwards in key order, counting
 * every ticket it passes as a place (so a number never under-counts: a
 * buyer who left still moved the count) and calling the ones still
 * waiting until the free slots are filled; serving is the place of the
 * last ticket passed. The walk and the slot count run in one BEGIN
 * IMMEDIATE transaction (advance_locked), so capacity is never exceeded
 * and nobody is skipped. Each ticket is passed once, ever.
 *
 * Which tickets are live is core/live.h's rule (ACTIVE_TICKET,
 * CALLED_TICKET, WAITING_TICKET and the complements), applied in SQL
 * only, with :now bound by every statement that uses it.
 */
#include "queue.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "arena.h"
#include "live.h"
#include "sql.h"

#define LINE_LATE ((int64_t)1 << 62)  /* keys of arrivals after the opening */
#define WALK_BATCH 64                 /* tickets read per step of the walk */

static const char *const state_names[Q__MAX] = {
	[Q_NONE] = "none", [Q_PREQUEUE] = "prequeue", [Q_WAITING] = "waiting",
	[Q_CALLED] = "called", [Q_ACTIVE] = "active", [Q_DONE] = "done",
	[Q_EXPIRED] = "expired",
};

static const char *const line_state_names[QL__MAX] = {
	[QL_PREQUEUE] = "prequeue", [QL_OPEN] = "open", [QL_CLOSED] = "closed",
};

const char *
queue_state_name(enum queue_state s)
{
	assert((unsigned)s < Q__MAX);
	return state_names[s];
}

const char *
queue_line_state_name(enum queue_line_state s)
{
	assert((unsigned)s < QL__MAX);
	return line_state_names[s];
}

int64_t
queue_poll_after_ms(int64_t ahead)
{
	return ahead < 20 ? 1000 : ahead < 100 ? 2000 : ahead < 1000 ? 5000 :
	    ahead < 10000 ? 15000 : 30000;
}

int64_t
queue_eta_seconds(const struct queue_public *p, int64_t ahead)
{
	if (p->called_recent <= 0 || p->rate_span <= 0)
		return -1;
	/* ahead + 1 calls away, at called_recent per rate_span seconds. */
	return ((ahead + 1) * p->rate_span + p->called_recent - 1) /
	    p->called_recent;
}

/* ---- the line's times and counter ---- */

struct times {
	int64_t prequeue_opens, opens_at, closes_at;
	int dates;  /* 0: the concert has no date, so nothing to queue for */
};

static enum queue_line_state
line_state(const struct times *t, int64_t now)
{
	if (!t->dates || now >= t->closes_at)
		return QL_CLOSED;
	return now < t->opens_at ? QL_PREQUEUE : QL_OPEN;
}

struct line {
	int found;  /* 0: not opened yet (no queue_counter row) */
	int64_t serving, serving_key, next_place;
};

/* The concert's pre-queue opening, first sale opening and last sale
 * closing (*t), and its line's counter (*l); *found 0: no such concert.
 * One statement: every look at the line reads it. */
static enum bo_status
line_read(struct db *db, int64_t concert_id, struct times *t, struct line *l,
    int *found)
{
	enum { R_PREQUEUE, R_OPENS, R_CLOSES, R_DATES, R_OPENED, R_SERVING,
	    R_KEY, R_NEXT, R__COLS };
	static struct sql q = SQL(R__COLS,
	    "SELECT c.prequeue_opens, coalesce(min(p.sale_opens_at), 0),"
	    " coalesce(max(p.sale_closes_at), 0), count(p.id),"
	    " q.concert_id IS NOT NULL, coalesce(q.serving, 0),"
	    " coalesce(q.serving_key, -1), coalesce(q.next_place, 0)"
	    " FROM concert c LEFT JOIN performance p ON p.concert_id = c.id"
	    " LEFT JOIN queue_counter q ON q.concert_id = c.id"
	    " WHERE c.id = :concert GROUP BY c.id");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	memset(t, 0, sizeof *t);
	memset(l, 0, sizeof *l);
	l->serving_key = -1;
	sql_bind_int(st, ":concert", concert_id);
	if ((*found = (rc = sql_step(st)) == SQLITE_ROW)) {
		t->opens_at = sql_int(st, R_OPENS);
		t->closes_at = sql_int(st, R_CLOSES);
		t->dates = sql_int(st, R_DATES) > 0;
		t->prequeue_opens = sql_is_null(st, R_PREQUEUE) ?
		    t->opens_at - QUEUE_PREQUEUE_DEFAULT : sql_int(st, R_PREQUEUE);
		l->found = sql_int(st, R_OPENED) != 0;
		l->serving = sql_int(st, R_SERVING);
		l->serving_key = sql_int(st, R_KEY);
		l->next_place = sql_int(st, R_NEXT);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return db_status(db, rc, "queue line");
}

/* The slots taken now: running turns and calls not yet answered. */
static enum bo_status
taken_slots(struct db *db, int64_t concert_id, int64_t now, int64_t *n)
{
	enum { TAKEN_COUNT, TAKEN__COLS };
	static struct sql q = SQL(TAKEN__COLS,
	    "SELECT count(*) FROM queue_ticket t WHERE t.concert_id = :concert"
	    " AND t.state IN ('WAITING','ACTIVE') AND (" ACTIVE_TICKET("t")
	    " OR " CALLED_TICKET("t") ")");
	struct sql_stmt *st = sql_prepare(db, &q);

	*n = 0;
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":now", now);
	return sql_one_int(db, st, n);
}

/* Inside a write transaction: makes the line's counter at the opening.
 * Every ticket so far is a pre-queue ticket (or older), so the first
 * late arrival's place comes after all of them. */
static enum bo_status
open_line_locked(struct db *db, int64_t concert_id, int64_t now,
    struct line *l)
{
	enum { OPEN_NEXT, OPEN__COLS };
	static struct sql q = SQL(OPEN__COLS,
	    "INSERT INTO queue_counter(concert_id, opened_at, next_place)"
	    " SELECT :concert, :now, count(*) + 1 FROM queue_ticket"
	    " WHERE concert_id = :concert RETURNING next_place");
	struct sql_stmt *st = sql_prepare(db, &q);

	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":now", now);
	l->found = 1;
	l->serving = 0;
	l->serving_key = -1;
	return sql_one_int(db, st, &l->next_place);
}

/* Inside a write transaction: calls the next waiting ticket(s) in line
 * into up to `free` slots, walking from the serving number (queue.c's top
 * comment); writes the new serving number. */
static enum bo_status
call_locked(struct db *db, int64_t concert_id, int64_t now,
    const struct settings *set, struct line *l, int64_t free, int64_t *called)
{
	enum { WALK_ID, WALK_KEY, WALK_CALLABLE, WALK__COLS };
	static struct sql walk_q = SQL(WALK__COLS,
	    "SELECT t.id, t.line_key, " WAITING_TICKET("t")
	    " FROM queue_ticket t WHERE t.concert_id = :concert"
	    " AND t.line_key > :after ORDER BY t.line_key LIMIT :batch");
	static struct sql call_q = SQL(0,
	    "UPDATE queue_ticket SET called_at = :now, place = :place,"
	    " expires_at = :now + :claim WHERE id = :ticket");
	static struct sql serving_q = SQL(0,
	    "UPDATE queue_counter SET serving = :serving, serving_key = :key"
	    " WHERE concert_id = :concert");
	struct { int64_t id, key; int callable; } batch[WALK_BATCH];
	struct sql_stmt *st;
	enum bo_status s = BO_OK;
	int64_t start = l->serving;
	size_t n;
	int rc;

	while (free > 0) {
		n = 0;
		st = sql_prepare(db, &walk_q);
		sql_bind_int(st, ":concert", concert_id);
		sql_bind_int(st, ":after", l->serving_key);
		sql_bind_int(st, ":batch", WALK_BATCH);
		while ((rc = sql_step(st)) == SQLITE_ROW) {
			batch[n].id = sql_int(st, WALK_ID);
			batch[n].key = sql_int(st, WALK_KEY);
			batch[n].callable = sql_int(st, WALK_CALLABLE) != 0;
			n++;
		}
		sql_reset(st);
		if ((s = db_status(db, rc, "queue walk")) != BO_OK)
			return s;
		for (size_t i = 0; i < n && free > 0; i++) {
			l->serving++;
			l->serving_key = batch[i].key;
			if (!batch[i].callable)
				continue; /* left before its call: passed */
			st = sql_prepare(db, &call_q);
			sql_bind_int(st, ":now", now);
			sql_bind_int(st, ":place", l->serving);
			sql_bind_int(st, ":claim", set->claim_seconds);
			sql_bind_int(st, ":ticket", batch[i].id);
			if ((s = sql_run(db, st, NULL)) != BO_OK)
				return s;
			free--;
			(*called)++;
		}
		if (n < WALK_BATCH)
			break; /* the end of the line */
	}
	if (l->serving == start)
		return BO_OK;
	assert(l->serving < l->next_place);
	st = sql_prepare(db, &serving_q);
	sql_bind_int(st, ":serving", l->serving);
	sql_bind_int(st, ":key", l->serving_key);
	sql_bind_int(st, ":concert", concert_id);
	return sql_run(db, st, NULL);
}

/*
 * Inside a write transaction: writes down lapsed turns and passed-over
 * calls of a concert, opens its line when the opening has come, and
 * calls into the free slots after recounting them.
 */
static enum bo_status
advance_locked(struct db *db, int64_t concert_id, int64_t now,
    const struct settings *set, int64_t *expired, int64_t *called)
{
	/* A turn that ran out ended when its time did. */
	static struct sql lapse_q = SQL(0,
	    "UPDATE queue_ticket AS t SET state = 'EXPIRED',"
	    " ended_at = t.expires_at"
	    " WHERE t.concert_id = :concert AND " LAPSED_TICKET("t"));
	/* A call not answered in time: passed over when its window ended. */
	static struct sql passed_q = SQL(0,
	    "UPDATE queue_ticket AS t SET state = 'EXPIRED',"
	    " ended_at = t.expires_at"
	    " WHERE t.concert_id = :concert AND " PASSED_TICKET("t"));
	struct sql_stmt *st;
	struct times t;
	struct line l;
	enum bo_status s;
	int64_t n = 0, taken = 0;
	int found;

	assert(db_in_transaction(db));
	st = sql_prepare(db, &lapse_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, &n)) != BO_OK)
		return s;
	*expired += n;
	st = sql_prepare(db, &passed_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, &n)) != BO_OK)
		return s;
	*expired += n;
	if ((s = line_read(db, concert_id, &t, &l, &found)) != BO_OK || !found)
		return s;
	if (line_state(&t, now) != QL_OPEN)
		return BO_OK; /* nothing is called before the opening or after */
	if (!l.found && (s = open_line_locked(db, concert_id, now, &l)) != BO_OK)
		return s;
	if ((s = taken_slots(db, concert_id, now, &taken)) != BO_OK)
		return s;
	if (set->queue_capacity - taken <= 0)
		return BO_OK;
	return call_locked(db, concert_id, now, set, &l,
	    set->queue_capacity - taken, called);
}

/* ---- the public state ---- */

/* What the public state counts: the calls of the rate window and the
 * slots taken (one statement), and when whole the tickets waiting to be
 * called — a count of the whole line, which only the public state's
 * render (about once a second per concert) pays for. */
static enum bo_status
public_counts(struct db *db, int64_t concert_id, int64_t now, int whole,
    struct queue_public *p, int64_t *taken)
{
	enum { W_COUNT, W__COLS };
	static struct sql waiting_q = SQL(W__COLS,
	    "SELECT count(*) FROM queue_ticket t"
	    " WHERE t.concert_id = :concert AND " WAITING_TICKET("t"));
	enum { C_RECENT, C_TAKEN, C__COLS };
	static struct sql counts_q = SQL(C__COLS,
	    "SELECT (SELECT count(*) FROM queue_ticket"
	    " WHERE concert_id = :concert AND called_at > :since),"
	    " (SELECT count(*) FROM queue_ticket t WHERE t.concert_id = :concert"
	    " AND t.state IN ('WAITING','ACTIVE') AND (" ACTIVE_TICKET("t")
	    " OR " CALLED_TICKET("t") "))");
	struct sql_stmt *st;
	enum bo_status s;
	int rc;

	p->waiting = 1; /* not counted: at least the one who asks */
	if (whole) {
		st = sql_prepare(db, &waiting_q);
		sql_bind_int(st, ":concert", concert_id);
		if ((s = sql_one_int(db, st, &p->waiting)) != BO_OK)
			return s;
	}
	st = sql_prepare(db, &counts_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":since", now - p->rate_span);
	sql_bind_int(st, ":now", now);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		p->called_recent = sql_int(st, C_RECENT);
		*taken = sql_int(st, C_TAKEN);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return db_status(db, rc, "queue counts");
}

/* Inside a transaction: the public state of a concert's line
 * (BO_NOT_FOUND: no such concert); *movable: a slot is free (or the line
 * is to be opened) while someone waits. */
static enum bo_status
public_locked(struct db *db, int64_t concert_id, int64_t now, int whole,
    const struct settings *set, struct queue_public *p, struct line *l,
    int *movable)
{
	struct times t;
	enum bo_status s;
	int64_t taken = 0;
	int found;

	memset(p, 0, sizeof *p);
	*movable = 0;
	if ((s = line_read(db, concert_id, &t, l, &found)) != BO_OK)
		return s;
	if (!found)
		return BO_NOT_FOUND;
	p->concert_id = concert_id;
	p->state = line_state(&t, now);
	p->prequeue_opens = t.prequeue_opens;
	p->opens_at = t.opens_at;
	p->serving = l->serving;
	p->at = now;
	p->rate_span = now - t.opens_at;
	if (p->rate_span > QUEUE_RATE_WINDOW)
		p->rate_span = QUEUE_RATE_WINDOW;
	if (p->rate_span < 1)
		p->rate_span = 1;
	if ((s = public_counts(db, concert_id, now, whole, p, &taken)) != BO_OK)
		return s;
	*movable = p->state == QL_OPEN && p->waiting > 0 &&
	    (!l->found || taken < set->queue_capacity);
	return BO_OK;
}

enum bo_status
queue_public_state(struct db *db, int64_t concert_id, int64_t now,
    const struct settings *set, struct queue_public *out)
{
	int64_t expired = 0, called = 0;
	enum bo_status s;
	struct line l;
	int movable;

	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	s = public_locked(db, concert_id, now, 1, set, out, &l, &movable);
	if ((s = sql_end(db, s)) != BO_OK || !movable)
		return s;
	/* A slot is free: let the line move, then read again. */
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	s = advance_locked(db, concert_id, now, set, &expired, &called);
	if (s == BO_OK)
		s = public_locked(db, concert_id, now, 1, set, out, &l,
		    &movable);
	return sql_end(db, s);
}

/* ---- a buyer's ticket ---- */

struct ticket {
	int64_t id, concert_id, user_id;
	enum queue_state state;  /* as of now: live.h's rule, applied in SQL
	                          * (Q_WAITING also for a pre-queue ticket) */
	int64_t joined_at, admitted_at, expires_at, place, line_key;
};

enum { TICKET_ID, TICKET_CONCERT, TICKET_USER, TICKET_STATE, TICKET_JOINED,
    TICKET_ADMITTED, TICKET_UNTIL, TICKET_PLACE, TICKET_KEY, TICKET__COLS };
#define TICKET_COLUMNS                                                        \
	"t.id, t.concert_id, t.user_id,"                                      \
	" CASE WHEN " ACTIVE_TICKET("t") " THEN 'active'"                     \
	" WHEN " CALLED_TICKET("t") " THEN 'called'"                          \
	" WHEN " WAITING_TICKET("t") " THEN 'waiting'"                        \
	" WHEN t.state = 'DONE' THEN 'done' ELSE 'expired' END,"              \
	" t.joined_at, coalesce(t.admitted_at, 0), coalesce(t.expires_at, 0),"\
	" coalesce(t.place, 0), coalesce(t.line_key, 0)"

/* A ticket by id (ticket_id > 0), or the buyer's latest for the concert;
 * *found 0 when there is none (which is not an error). */
static enum bo_status
find_ticket(struct db *db, int64_t concert_id, int64_t user_id,
    int64_t ticket_id, int64_t now, struct ticket *t, int *found)
{
	static struct sql by_id_q = SQL(TICKET__COLS,
	    "SELECT " TICKET_COLUMNS " FROM queue_ticket t WHERE t.id = :ticket");
	static struct sql by_user_q = SQL(TICKET__COLS,
	    "SELECT " TICKET_COLUMNS " FROM queue_ticket t"
	    " WHERE t.user_id = :user AND t.concert_id = :concert"
	    " ORDER BY t.id DESC LIMIT 1");
	struct sql_stmt *st;
	int rc;

	if (ticket_id > 0) {
		st = sql_prepare(db, &by_id_q);
		sql_bind_int(st, ":ticket", ticket_id);
	} else {
		st = sql_prepare(db, &by_user_q);
		sql_bind_int(st, ":concert", concert_id);
		sql_bind_int(st, ":user", user_id);
	}
	sql_bind_int(st, ":now", now);
	if ((*found = (rc = sql_step(st)) == SQLITE_ROW)) {
		const char *state = sql_text(st, TICKET_STATE);
		int i = 0;

		while (i < Q__MAX && strcmp(state_names[i], state) != 0)
			i++;
		assert(i < Q__MAX && i != Q_NONE && i != Q_PREQUEUE);
		t->state = (enum queue_state)i;
		t->id = sql_int(st, TICKET_ID);
		t->concert_id = sql_int(st, TICKET_CONCERT);
		t->user_id = sql_int(st, TICKET_USER);
		t->joined_at = sql_int(st, TICKET_JOINED);
		t->admitted_at = sql_int(st, TICKET_ADMITTED);
		t->expires_at = sql_int(st, TICKET_UNTIL);
		t->place = sql_int(st, TICKET_PLACE);
		t->line_key = sql_int(st, TICKET_KEY);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return db_status(db, rc, "queue ticket");
}

/* A pre-queue ticket's place once the line has opened: its rank by key
 * among every ticket of the concert (a read; queue.c's top comment). */
static enum bo_status
rank_of(struct db *db, const struct ticket *t, int64_t *place)
{
	enum { RANK_COUNT, RANK__COLS };
	static struct sql q = SQL(RANK__COLS,
	    "SELECT count(*) + 1 FROM queue_ticket"
	    " WHERE concert_id = :concert AND line_key < :key");
	struct sql_stmt *st = sql_prepare(db, &q);

	sql_bind_int(st, ":concert", t->concert_id);
	sql_bind_int(st, ":key", t->line_key);
	return sql_one_int(db, st, place);
}

/* Inside a write transaction: the called buyer has come in. */
static enum bo_status
claim_locked(struct db *db, int64_t ticket_id, int64_t now,
    const struct settings *set)
{
	static struct sql q = SQL(0,
	    "UPDATE queue_ticket AS t SET state = 'ACTIVE', admitted_at = :now,"
	    " expires_at = :now + :ttl WHERE t.id = :ticket AND "
	    CALLED_TICKET("t"));
	struct sql_stmt *st = sql_prepare(db, &q);

	sql_bind_int(st, ":ticket", ticket_id);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":ttl", set->active_ttl);
	return sql_run(db, st, NULL);
}

/*
 * Inside a transaction: fills out from t as of now (the token is signed
 * later, by whoever sends it: queue_view_sign). *write: something here
 * is for a write transaction to do (a call to claim, a slot free for the
 * line, an opening to write down).
 */
static enum bo_status
view_of(struct db *db, const struct ticket *t, int64_t now,
    const struct settings *set, struct queue_view *out, int *write)
{
	struct queue_public p;
	struct line l;
	enum bo_status s;
	int movable = 0;

	memset(out, 0, sizeof *out);
	*write = 0;
	out->state = t->state;
	out->ticket_id = t->id;
	out->concert_id = t->concert_id;
	out->joined_at = t->joined_at;
	out->place = t->place;
	out->eta_seconds = -1;
	out->poll_after_ms = queue_poll_after_ms(0);
	switch (t->state) {
	case Q_ACTIVE:
		out->admitted_at = t->admitted_at;
		out->active_until = t->expires_at;
		break;
	case Q_CALLED:
		out->called_until = t->expires_at;
		*write = 1; /* the buyer has come in */
		break;
	case Q_WAITING:
		s = public_locked(db, t->concert_id, now, 0, set, &p, &l,
		    &movable);
		if (s != BO_OK)
			return s;
		*write = movable;
		out->serving = p.serving;
		if (!l.found) {
			/* Before the opening (or before anyone wrote it
			 * down): the place is drawn then. */
			out->state = Q_PREQUEUE;
			out->place = 0;
			out->opens_at = p.opens_at;
			out->eta_seconds = p.opens_at > now ? p.opens_at - now : 0;
			out->poll_after_ms = out->eta_seconds > 60 ? 30000 :
			    out->eta_seconds > 10 ? 5000 : 1000;
			break;
		}
		if (out->place == 0 && (s = rank_of(db, t, &out->place)) != BO_OK)
			return s;
		out->ahead = out->place - p.serving - 1;
		if (out->ahead < 0)
			out->ahead = 0; /* never: passed tickets are called */
		out->eta_seconds = queue_eta_seconds(&p, out->ahead);
		out->poll_after_ms = queue_poll_after_ms(out->ahead);
		break;
	default:
		break;
	}
	return BO_OK;
}

enum bo_status
queue_view_sign(struct db *db, int64_t user_id, struct queue_view *out)
{
	struct queue_claim c;

	if (out->state == Q_NONE)
		return BO_OK;
	c.key_id = 0;
	c.concert_id = out->concert_id;
	c.ticket_id = out->ticket_id;
	c.place = out->place;
	return queue_token_sign(db, user_id, &c, out->token);
}

enum bo_status
queue_status(struct db *db, int64_t concert_id, int64_t user_id,
    const char *token, int64_t now, const struct settings *set,
    struct queue_view *out)
{
	struct queue_claim c = { 0, 0, 0, 0 };
	int64_t expired = 0, called = 0;
	struct ticket t;
	enum bo_status s;
	int found, write = 0, todo = 0;

	memset(out, 0, sizeof *out);
	if (token != NULL) {
		if ((s = queue_token_verify(db, user_id, token, &c)) != BO_OK)
			return s;
		if (concert_id != 0 && c.concert_id != concert_id)
			return BO_FORBIDDEN;
		concert_id = c.concert_id;
	}
	for (;;) {
		s = write ? db_begin_write(db) : db_begin_read(db);
		if (s != BO_OK)
			return s;
		if (write)
			s = advance_locked(db, concert_id, now, set, &expired,
			    &called);
		if (s == BO_OK)
			s = find_ticket(db, concert_id, user_id, c.ticket_id, now,
			    &t, &found);
		/* A failure here is not "no such ticket": the read failed. */
		if (s != BO_OK)
			return sql_end(db, s);
		if (found && (t.user_id != user_id || t.concert_id != concert_id))
			return sql_end(db, BO_FORBIDDEN);
		if (!found && token != NULL)
			return sql_end(db, BO_FORBIDDEN);
		if (!found) {
			out->concert_id = concert_id;
			return sql_end(db, BO_OK); /* Q_NONE */
		}
		if (write && t.state == Q_CALLED) {
			s = claim_locked(db, t.id, now, set);
			if (s == BO_OK)
				s = find_ticket(db, concert_id, user_id, t.id, now,
				    &t, &found);
		}
		if (s == BO_OK)
			s = view_of(db, &t, now, set, out, &todo);
		if ((s = sql_end(db, s)) != BO_OK)
			return s;
		if (write || !todo)
			return BO_OK;
		write = 1; /* once more, writing */
	}
}

/* Inside a write transaction: a new ticket for the buyer, in the
 * pre-queue (a random key) or behind the line (the next place). */
static enum bo_status
insert_locked(struct db *db, int64_t concert_id, int64_t user_id,
    int64_t now, const struct line *l)
{
	static struct sql insert_q = SQL(0,
	    "INSERT INTO queue_ticket(concert_id, user_id, token, state,"
	    " joined_at, last_seen, line_key, place)"
	    " VALUES (:concert, :user, :token, 'WAITING', :now, :now, :key,"
	    " nullif(:place, 0))");
	static struct sql next_q = SQL(0,
	    "UPDATE queue_counter SET next_place = next_place + 1"
	    " WHERE concert_id = :concert");
	/* The key after the last in line, and never below the late range. */
	enum { LAST_KEY, LAST__COLS };
	static struct sql last_q = SQL(LAST__COLS,
	    "SELECT max(:late, coalesce(max(line_key) + 1, 0)) FROM queue_ticket"
	    " WHERE concert_id = :concert");
	enum bo_status s = BO_CONFLICT;
	int64_t late = LINE_LATE;

	if (l->found) {
		struct sql_stmt *st = sql_prepare(db, &last_q);

		sql_bind_int(st, ":late", LINE_LATE);
		sql_bind_int(st, ":concert", concert_id);
		if ((s = sql_one_int(db, st, &late)) != BO_OK)
			return s;
		s = BO_CONFLICT;
	}

	/* A pre-queue key repeats with odds of n / 2^62: draw again. */
	for (int tries = 0; tries < 4 && s == BO_CONFLICT; tries++) {
		struct sql_stmt *st = sql_prepare(db, &insert_q);
		char token[23];
		uint64_t draw;
		int64_t key, place = 0;

		if (l->found) {
			place = l->next_place;
			key = late;
		} else {
			randombytes_buf(&draw, sizeof draw);
			key = (int64_t)(draw & (uint64_t)(LINE_LATE - 1));
		}
		/* The old column keeps its shape (22 characters, unique);
		 * the signed token is what the buyer holds now. */
		random_token(token, sizeof token, 16);
		sql_bind_int(st, ":concert", concert_id);
		sql_bind_int(st, ":user", user_id);
		sql_bind_text(st, ":token", token);
		sql_bind_int(st, ":now", now);
		sql_bind_int(st, ":key", key);
		sql_bind_int(st, ":place", place);
		s = sql_run(db, st, NULL);
		if (l->found)
			break; /* a late key cannot repeat: a conflict is real */
	}
	if (s != BO_OK || !l->found)
		return s;
	{
		struct sql_stmt *st = sql_prepare(db, &next_q);

		sql_bind_int(st, ":concert", concert_id);
		return sql_run(db, st, NULL);
	}
}

enum bo_status
queue_join(struct db *db, int64_t concert_id, int64_t user_id, int64_t now,
    const struct settings *set, struct queue_view *out)
{
	int64_t expired = 0, called = 0;
	struct ticket t;
	struct times tm;
	struct line l;
	enum bo_status s;
	int found = 0, todo;

	memset(out, 0, sizeof *out);
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	/* Writing down what expired first frees the buyer's one live slot
	 * (queue_one_live) when its old ticket has lapsed, and opens the
	 * line when its time has come. */
	s = line_read(db, concert_id, &tm, &l, &found);
	if (s == BO_OK && !found)
		s = BO_NOT_FOUND;
	if (s == BO_OK)
		s = advance_locked(db, concert_id, now, set, &expired, &called);
	if (s == BO_OK)
		s = find_ticket(db, concert_id, user_id, 0, now, &t, &found);
	if (s == BO_OK && (!found || (t.state != Q_WAITING &&
	    t.state != Q_CALLED && t.state != Q_ACTIVE))) {
		enum queue_line_state ls = line_state(&tm, now);

		if (ls == QL_CLOSED || (ls == QL_PREQUEUE &&
		    now < tm.prequeue_opens))
			s = BO_CONFLICT;
		if (s == BO_OK) /* the counter as advance_locked left it */
			s = line_read(db, concert_id, &tm, &l, &found);
		if (s == BO_OK)
			s = insert_locked(db, concert_id, user_id, now, &l);
		if (s == BO_OK)
			s = advance_locked(db, concert_id, now, set, &expired,
			    &called);
	}
	if (s == BO_OK)
		s = find_ticket(db, concert_id, user_id, 0, now, &t, &found);
	/* Called at once (a slot was free): the buyer is here, so in. */
	if (s == BO_OK && found && t.state == Q_CALLED &&
	    (s = claim_locked(db, t.id, now, set)) == BO_OK)
		s = find_ticket(db, concert_id, user_id, 0, now, &t, &found);
	if (s == BO_OK && found)
		s = view_of(db, &t, now, set, out, &todo);
	return sql_end(db, s);
}

enum bo_status
queue_leave(struct db *db, int64_t concert_id, int64_t user_id, int64_t now,
    const struct settings *set)
{
	/* Ends the buyer's ticket still written down as in line, live or
	 * lapsed, so nothing of it is left for the expiry run. There is one
	 * at most (queue_one_live), and it is the buyer's latest: a new
	 * ticket is only made when none is. */
	static struct sql leave_q = SQL(0,
	    "UPDATE queue_ticket SET state = 'EXPIRED', ended_at = :now"
	    " WHERE concert_id = :concert AND user_id = :user"
	    " AND state IN ('WAITING','ACTIVE')");
	/* "I am done": the seats still held go back on sale with the turn,
	 * in this transaction (paying needs no turn, so they would otherwise
	 * stay blocked until they lapse). */
	static struct sql release_q = SQL(0,
	    "UPDATE hold AS h SET state = 'RELEASED' WHERE h.user_id = :user"
	    " AND " UNPAID_HOLD("h") " AND h.performance_id IN"
	    " (SELECT id FROM performance WHERE concert_id = :concert)");
	int64_t expired = 0, called = 0;
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &leave_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":user", user_id);
	sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, NULL)) == BO_OK) {
		st = sql_prepare(db, &release_q);
		sql_bind_int(st, ":concert", concert_id);
		sql_bind_int(st, ":user", user_id);
		sql_bind_int(st, ":now", now);
		s = sql_run(db, st, NULL);
	}
	/* The slot goes to the next in line at once. */
	if (s == BO_OK)
		s = advance_locked(db, concert_id, now, set, &expired, &called);
	return sql_end(db, s);
}

enum bo_status
queue_expire_all(struct db *db, int64_t now, const struct settings *set,
    int64_t *expired, int64_t *called)
{
	/* The concerts with a ticket still written down as in line, live or
	 * not: those with something to write down or to call. queue_one_live
	 * holds exactly those tickets, never the history. */
	enum { LIVE_CONCERT, LIVE__COLS };
	static struct sql q = SQL(LIVE__COLS,
	    "SELECT DISTINCT concert_id FROM queue_ticket"
	    " INDEXED BY queue_one_live WHERE state IN ('WAITING','ACTIVE')");
	struct sql_stmt *st = sql_prepare(db, &q);
	int64_t *concerts = NULL;
	size_t n = 0, cap = 0;
	enum bo_status s;
	int rc;

	*expired = *called = 0;
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			concerts = xrealloc(concerts, cap * sizeof *concerts);
		}
		concerts[n++] = sql_int(st, LIVE_CONCERT);
	}
	sql_reset(st);
	s = db_status(db, rc, "queue_expire_all");
	/* One short transaction per concert: cron never holds the write
	 * lock for long. */
	for (size_t i = 0; i < n && s == BO_OK; i++) {
		if ((s = db_begin_write(db)) != BO_OK)
			break;
		s = sql_end(db, advance_locked(db, concerts[i], now, set, expired,
		    called));
	}
	free(concerts);
	return s;
}

enum bo_status
queue_turn_active(struct db *db, int64_t concert, int64_t user, int64_t now,
    int *active)
{
	static struct sql q = SQL(1,
	    "SELECT count(*) FROM queue_ticket t WHERE t.concert_id = :concert"
	    " AND t.user_id = :user AND " ACTIVE_TICKET("t"));
	struct sql_stmt *st = sql_prepare(db, &q);
	int64_t n = 0;
	enum bo_status s;

	assert(db_in_transaction(db));
	sql_bind_int(st, ":concert", concert);
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":now", now);
	s = sql_one_int(db, st, &n);
	*active = n > 0;
	return s;
}

enum bo_status
queue_turn_end(struct db *db, int64_t concert, int64_t user, int64_t now)
{
	static struct sql q = SQL(0,
	    "UPDATE queue_ticket SET state = 'DONE', ended_at = :now"
	    " WHERE concert_id = :concert AND user_id = :user"
	    " AND " ACTIVE_TICKET("queue_ticket") " AND NOT EXISTS"
	    " (SELECT 1 FROM hold h JOIN performance p ON p.id = h.performance_id"
	    " WHERE h.user_id = :user AND p.concert_id = :concert"
	    " AND " UNPAID_HOLD("h") ")");
	struct sql_stmt *st = sql_prepare(db, &q);

	assert(db_in_transaction(db));
	sql_bind_int(st, ":concert", concert);
	sql_bind_int(st, ":user", user);
	sql_bind_int(st, ":now", now);
	return sql_run(db, st, NULL);
}

enum bo_status
queue_set_prequeue(struct db *db, int64_t concert_id, int64_t opens)
{
	enum { OPENED_COUNT, OPENED__COLS };
	static struct sql opened_q = SQL(OPENED__COLS,
	    "SELECT count(*) FROM queue_counter WHERE concert_id = :concert");
	static struct sql set_q = SQL(0,
	    "UPDATE concert SET prequeue_opens = nullif(:opens, 0)"
	    " WHERE id = :concert");
	struct sql_stmt *st;
	enum bo_status s;
	int64_t opened = 0, n = 0;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &opened_q);
	sql_bind_int(st, ":concert", concert_id);
	s = sql_one_int(db, st, &opened);
	if (s == BO_OK && opened > 0)
		s = BO_CONFLICT; /* the pre-queue is drawn already */
	if (s == BO_OK) {
		st = sql_prepare(db, &set_q);
		sql_bind_int(st, ":opens", opens);
		sql_bind_int(st, ":concert", concert_id);
		s = sql_run(db, st, &n);
	}
	if (s == BO_OK && n == 0)
		s = BO_NOT_FOUND;
	return sql_end(db, s);
}
