/*
 * queue.c — the waiting queue (see queue.h).
 *
 * Admission is computed, not scheduled: a WAITING ticket may enter when the
 * live tickets ahead of it are fewer than the free slots. Whoever looks
 * first (the buyer's poll, a gated page, cron) then writes the admission in
 * one BEGIN IMMEDIATE transaction that recounts everything against
 * committed state, so capacity is never exceeded and order never skipped.
 *
 * Which tickets are live is core/live.h's rule (ACTIVE_TICKET,
 * WAITING_TICKET and their complements), applied in SQL only, the
 * ticket's state as of now included: every statement using it binds :now
 * and, for the waiting line, :seen_after (seen_after() below).
 */
#include "queue.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "arena.h"
#include "live.h"
#include "parse.h"
#include "sql.h"

/* A long waiting line as it was at taken_at (under the settings its
 * owner keeps it for: abandon_after decides who is still in it). */
struct line_snapshot {
	int64_t concert_id, taken_at;
	int64_t *ids;   /* live WAITING ticket ids, ascending */
	size_t n, cap;
};

struct queue_lines {
	struct line_snapshot line[QUEUE_SNAPSHOT_SLOTS];
};

struct ticket {
	int64_t id, concert_id, user_id;
	char token[QUEUE_TOKEN_LEN + 1];
	enum queue_state state;  /* as of now: live.h's rule, applied in SQL */
	int64_t joined_at, last_seen, admitted_at, expires_at;
};

/* By enum queue_state; the ticket statements answer these names too. */
static const char *const state_names[] = {
	[Q_NONE] = "none", [Q_WAITING] = "waiting", [Q_ACTIVE] = "active",
	[Q_DONE] = "done", [Q_EXPIRED] = "expired",
};
#define STATE_NAMES_N (sizeof state_names / sizeof state_names[0])

const char *
queue_state_name(enum queue_state s)
{
	assert((size_t)s < STATE_NAMES_N);
	return state_names[s];
}

/* The :seen_after of live.h's WAITING_TICKET: a waiting browser last seen
 * at or before it has abandoned its place. */
static int64_t
seen_after(int64_t now, const struct settings *set)
{
	return now - set->abandon_after;
}

/* A ticket row with its state as of :now, lazy expiry applied by live.h's
 * fragments (never the state column alone): the two statements of
 * find_ticket() read it. */
enum { TICKET_ID, TICKET_CONCERT, TICKET_USER, TICKET_TOKEN, TICKET_STATE,
    TICKET_JOINED, TICKET_SEEN, TICKET_ADMITTED, TICKET_UNTIL, TICKET__COLS };
#define TICKET_COLUMNS                                                        \
	"t.id, t.concert_id, t.user_id, t.token,"                             \
	" CASE WHEN " ACTIVE_TICKET("t") " THEN 'active'"                     \
	" WHEN " WAITING_TICKET("t") " THEN 'waiting'"                        \
	" WHEN t.state = 'DONE' THEN 'done' ELSE 'expired' END,"              \
	" t.joined_at, t.last_seen, coalesce(t.admitted_at, 0),"              \
	" coalesce(t.expires_at, 0)"

/* Finds a ticket by token, or the buyer's latest; *found is 0 when there
 * is none (which is not an error). */
static enum bo_status
find_ticket(struct db *db, int64_t concert_id, int64_t user_id,
    const char *token, int64_t now, const struct settings *set,
    struct ticket *t, int *found)
{
	static struct sql by_token_q = SQL(TICKET__COLS,
	    "SELECT " TICKET_COLUMNS " FROM queue_ticket t"
	    " WHERE t.token = :token");
	static struct sql by_user_q = SQL(TICKET__COLS,
	    "SELECT " TICKET_COLUMNS " FROM queue_ticket t"
	    " WHERE t.user_id = :user AND t.concert_id = :concert"
	    " ORDER BY t.id DESC LIMIT 1");
	struct sql_stmt *st;
	int rc;

	if (token != NULL) {
		st = sql_prepare(db, &by_token_q);
		sql_bind_text(st, ":token", token);
	} else {
		st = sql_prepare(db, &by_user_q);
		sql_bind_int(st, ":concert", concert_id);
		sql_bind_int(st, ":user", user_id);
	}
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":seen_after", seen_after(now, set));
	if ((*found = (rc = sql_step(st)) == SQLITE_ROW)) {
		const char *state = sql_text(st, TICKET_STATE);
		size_t i = 0;

		while (i < STATE_NAMES_N && strcmp(state_names[i], state) != 0)
			i++;
		assert(i < STATE_NAMES_N && i != Q_NONE);
		t->state = (enum queue_state)i;
		t->id = sql_int(st, TICKET_ID);
		t->concert_id = sql_int(st, TICKET_CONCERT);
		t->user_id = sql_int(st, TICKET_USER);
		snprintf(t->token, sizeof t->token, "%s", sql_text(st, TICKET_TOKEN));
		t->joined_at = sql_int(st, TICKET_JOINED);
		t->last_seen = sql_int(st, TICKET_SEEN);
		t->admitted_at = sql_int(st, TICKET_ADMITTED);
		t->expires_at = sql_int(st, TICKET_UNTIL);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return db_status(db, rc, "queue ticket");
}

struct queue_lines *
queue_lines_new(void)
{
	struct queue_lines *c = xmalloc(sizeof *c);

	memset(c, 0, sizeof *c);
	return c;
}

void
queue_lines_clear(struct queue_lines *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < QUEUE_SNAPSHOT_SLOTS; i++) {
		c->line[i].concert_id = 0; /* no concert has id 0 */
		c->line[i].n = 0;
	}
}

void
queue_lines_free(struct queue_lines *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < QUEUE_SNAPSHOT_SLOTS; i++)
		free(c->line[i].ids);
	free(c);
}

/* The snapshot of a concert's line in c (*out), taken again when it is a
 * second old. */
static enum bo_status
line_of(struct db *db, struct queue_lines *c, int64_t concert_id, int64_t now,
    const struct settings *set, const struct line_snapshot **out)
{
	/* The live waiting line, in order. */
	enum { LINE_ID, LINE__COLS };
	static struct sql q = SQL(LINE__COLS,
	    "SELECT t.id FROM queue_ticket t WHERE t.concert_id = :concert"
	    " AND " WAITING_TICKET("t") " ORDER BY t.id");
	struct line_snapshot *l;
	struct sql_stmt *st;
	int rc;

	*out = NULL;
	l = &c->line[(uint64_t)concert_id % QUEUE_SNAPSHOT_SLOTS];
	if (l->concert_id == concert_id && l->taken_at == now) {
		*out = l;
		return BO_OK;
	}
	l->concert_id = concert_id;
	l->taken_at = now;
	l->n = 0;
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":seen_after", seen_after(now, set));
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 256;
			l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
		}
		l->ids[l->n++] = sql_int(st, LINE_ID);
	}
	sql_reset(st);
	if (rc != SQLITE_DONE) {
		l->concert_id = 0; /* half read: never used again */
		return db_status(db, rc, "queue line");
	}
	*out = l;
	return BO_OK;
}

/* How many ids of the snapshot are below id: the live waiting tickets
 * ahead of it as the snapshot saw them. */
static size_t
below(const struct line_snapshot *l, int64_t id)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Live waiting tickets ahead of ticket id (*ahead): from the snapshot in
 * lines (when there are lines) when that says the ticket is far back,
 * else counted exactly. */
static enum bo_status
ahead_of(struct db *db, struct queue_lines *lines, int64_t concert_id,
    int64_t id, int64_t now, const struct settings *set, int64_t *ahead)
{
	enum { AHEAD_COUNT, AHEAD__COLS };
	static struct sql q = SQL(AHEAD__COLS,
	    "SELECT count(*) FROM queue_ticket t WHERE t.concert_id = :concert"
	    " AND " WAITING_TICKET("t") " AND t.id < :ticket");
	const struct line_snapshot *l = NULL;
	struct sql_stmt *st;
	enum bo_status s;
	size_t far;

	*ahead = 0;
	if (lines != NULL &&
	    (s = line_of(db, lines, concert_id, now, set, &l)) != BO_OK)
		return s;
	if (lines != NULL && (far = below(l, id)) > QUEUE_EXACT_WINDOW) {
		*ahead = (int64_t)far;
		return BO_OK;
	}
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":ticket", id);
	sql_bind_int(st, ":seen_after", seen_after(now, set));
	return sql_one_int(db, st, ahead);
}

/* The concert's turns running now (*active): the slots taken. */
static enum bo_status
active_count(struct db *db, int64_t concert_id, int64_t now, int64_t *active)
{
	enum { ACTIVE_COUNT, ACTIVE__COLS };
	static struct sql q = SQL(ACTIVE__COLS,
	    "SELECT count(*) FROM queue_ticket t WHERE t.concert_id = :concert"
	    " AND " ACTIVE_TICKET("t"));
	struct sql_stmt *st = sql_prepare(db, &q);

	*active = 0;
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":now", now);
	return sql_one_int(db, st, active);
}

/* How often a waiting ticket's last-seen mark is written: every
 * QUEUE_SEEN_EVERY seconds, or a quarter of abandon_after when that is
 * shorter, so that a browser polling as told is never taken for gone. */
static int64_t
seen_every(const struct settings *set)
{
	int64_t quarter = set->abandon_after / 4;

	return quarter < QUEUE_SEEN_EVERY ? quarter : QUEUE_SEEN_EVERY;
}

/* How long until the next poll: sooner near the front of the line, and
 * never slower than a quarter of abandon_after. */
static int64_t
poll_after(int64_t ahead, const struct settings *set)
{
	int64_t ms = ahead < 10 ? 1000 : ahead < 100 ? 2000 : ahead < 1000 ? 5000
	    : 10000;
	int64_t cap = set->abandon_after * 1000 / 4;

	return ms < cap ? ms : cap;
}

/*
 * Fills out from t as of now. For a live WAITING ticket counts who is
 * ahead and whether a slot is free for it (*admissible).
 */
static enum bo_status
view_of(struct db *db, struct queue_lines *lines, const struct ticket *t,
    int64_t now, const struct settings *set, struct queue_view *out,
    int *admissible)
{
	enum bo_status s = BO_OK;
	int64_t active = 0;

	memset(out, 0, sizeof *out);
	*admissible = 0;
	out->state = t->state;
	out->ticket_id = t->id;
	out->concert_id = t->concert_id;
	snprintf(out->token, sizeof out->token, "%s", t->token);
	out->joined_at = t->joined_at;
	out->eta_seconds = -1;
	out->poll_after_ms = poll_after(0, set);
	if (t->state == Q_ACTIVE) {
		out->admitted_at = t->admitted_at;
		out->active_until = t->expires_at;
	} else if (t->state == Q_WAITING) {
		s = ahead_of(db, lines, t->concert_id, t->id, now, set,
		    &out->ahead);
		if (s == BO_OK)
			s = active_count(db, t->concert_id, now, &active);
		*admissible = s == BO_OK &&
		    out->ahead < set->queue_capacity - active;
		out->poll_after_ms = poll_after(out->ahead, set);
	}
	return s;
}

/* Inside a write transaction: writes down lazily expired tickets of a
 * concert and admits the oldest waiting into the free slots. */
static enum bo_status
admit_locked(struct db *db, int64_t concert_id, int64_t now,
    const struct settings *set, int64_t *expired, int64_t *admitted)
{
	/* A turn that ran out ended when its time did. */
	static struct sql lapse_q = SQL(0,
	    "UPDATE queue_ticket AS t SET state = 'EXPIRED',"
	    " ended_at = t.expires_at"
	    " WHERE t.concert_id = :concert AND " LAPSED_TICKET("t"));
	/* A waiting browser that stopped looking left abandon_after after
	 * it was last seen. */
	static struct sql abandon_q = SQL(0,
	    "UPDATE queue_ticket AS t SET state = 'EXPIRED',"
	    " ended_at = t.last_seen + :abandon_after"
	    " WHERE t.concert_id = :concert AND " ABANDONED_TICKET("t"));
	/* The oldest live waiting tickets, one per free slot. */
	static struct sql admit_q = SQL(0,
	    "UPDATE queue_ticket SET state = 'ACTIVE', admitted_at = :now,"
	    " expires_at = :now + :active_ttl WHERE id IN (SELECT t.id"
	    " FROM queue_ticket t WHERE t.concert_id = :concert AND "
	    WAITING_TICKET("t") " ORDER BY t.id LIMIT :free)");
	struct sql_stmt *st;
	enum bo_status s;
	int64_t n = 0, active = 0;

	st = sql_prepare(db, &lapse_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":now", now);
	if ((s = sql_run(db, st, &n)) != BO_OK)
		return s;
	*expired += n;
	st = sql_prepare(db, &abandon_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":seen_after", seen_after(now, set));
	sql_bind_int(st, ":abandon_after", set->abandon_after);
	if ((s = sql_run(db, st, &n)) != BO_OK)
		return s;
	*expired += n;
	if ((s = active_count(db, concert_id, now, &active)) != BO_OK)
		return s;
	if (set->queue_capacity - active <= 0)
		return BO_OK;
	st = sql_prepare(db, &admit_q);
	sql_bind_int(st, ":concert", concert_id);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":active_ttl", set->active_ttl);
	sql_bind_int(st, ":seen_after", seen_after(now, set));
	sql_bind_int(st, ":free", set->queue_capacity - active);
	if ((s = sql_run(db, st, &n)) != BO_OK)
		return s;
	*admitted += n;
	return BO_OK;
}

/* Notes that a waiting browser is still there. A ticket already
 * abandoned stays abandoned: it is no WAITING_TICKET any more. */
static enum bo_status
mark_seen(struct db *db, int64_t ticket_id, int64_t now,
    const struct settings *set)
{
	static struct sql q = SQL(0,
	    "UPDATE queue_ticket AS t SET last_seen = :now"
	    " WHERE t.id = :ticket AND " WAITING_TICKET("t"));
	struct sql_stmt *st = sql_prepare(db, &q);

	sql_bind_int(st, ":ticket", ticket_id);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":seen_after", seen_after(now, set));
	return sql_run(db, st, NULL);
}

/*
 * The wait, from the first admission on (the buyer at place 1 wants a
 * number most). Two or more admissions in the window: the measured rate.
 * Just one: no rate yet, but every turn ends within active_ttl, so the
 * buyer's slot frees at the latest after (ahead / capacity + 1) turns,
 * the first of which began with that admission. None: unknown (-1).
 */
static enum bo_status
estimate(struct db *db, int64_t now, const struct settings *set,
    struct queue_view *v)
{
	/* The admissions in the window, and the first of them. */
	enum { RATE_COUNT, RATE_FIRST, RATE__COLS };
	static struct sql q = SQL(RATE__COLS,
	    "SELECT count(*), min(admitted_at) FROM queue_ticket"
	    " WHERE concert_id = :concert AND admitted_at > :since");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	sql_bind_int(st, ":concert", v->concert_id);
	sql_bind_int(st, ":since", now - QUEUE_RATE_WINDOW);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		int64_t n = sql_int(st, RATE_COUNT);
		int64_t span = now - sql_int(st, RATE_FIRST);

		/* n admissions since the first one, span seconds ago: n - 1
		 * intervals. The buyer is ahead + 1 admissions away. */
		if (n >= 2 && span > 0) {
			v->eta_seconds = ((v->ahead + 1) * span + n - 2) / (n - 1);
		} else if (n >= 1) {
			int64_t turns = v->ahead / (set->queue_capacity > 0 ?
			    set->queue_capacity : 1) + 1;

			v->eta_seconds = turns * set->active_ttl - span;
			if (v->eta_seconds < 0)
				v->eta_seconds = 0;
		}
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return db_status(db, rc, "queue estimate");
}

/*
 * Reads the ticket; when it may be admitted, or its last-seen mark is due,
 * does that in a write transaction and reads again.
 */
enum bo_status
queue_status(struct db *db, int64_t concert_id, int64_t user_id,
    const char *token, int64_t now, const struct settings *set,
    struct queue_lines *lines, struct queue_view *out)
{
	struct ticket t;
	enum bo_status s;
	int admissible = 0, found, write = 0;
	int64_t expired = 0, admitted = 0;

	memset(out, 0, sizeof *out);
	if (token != NULL && !parse_token(token, QUEUE_TOKEN_LEN))
		return BO_FORBIDDEN;
	for (;;) {
		s = write ? db_begin_write(db) : db_begin_read(db);
		if (s != BO_OK)
			return s;
		/* A failure here is not "no such ticket": the read failed. */
		s = find_ticket(db, concert_id, user_id, token, now, set, &t,
		    &found);
		if (s != BO_OK)
			return sql_end(db, s);
		if (found && concert_id == 0)
			concert_id = t.concert_id; /* the token names its concert */
		if (found && (t.user_id != user_id || t.concert_id != concert_id))
			return sql_end(db, BO_FORBIDDEN);
		if (!found && token != NULL)
			return sql_end(db, BO_FORBIDDEN);
		if (found && write) {
			if (admissible)
				s = admit_locked(db, concert_id, now, set, &expired,
				    &admitted);
			else
				s = mark_seen(db, t.id, now, set);
			if (s == BO_OK)
				s = find_ticket(db, concert_id, user_id, token, now,
				    set, &t, &found);
		}
		if (s == BO_OK && found)
			s = view_of(db, lines, &t, now, set, out, &admissible);
		if (s == BO_OK && out->state == Q_WAITING)
			s = estimate(db, now, set, out);
		if ((s = sql_end(db, s)) != BO_OK)
			return s;
		if (write || out->state != Q_WAITING ||
		    (!admissible && now - t.last_seen < seen_every(set)))
			return BO_OK;
		write = 1; /* once more, writing */
	}
}

enum bo_status
queue_join(struct db *db, int64_t concert_id, int64_t user_id, int64_t now,
    const struct settings *set, struct queue_lines *lines,
    struct queue_view *out)
{
	static struct sql insert_q = SQL(0,
	    "INSERT INTO queue_ticket(concert_id, user_id, token, state,"
	    " joined_at, last_seen)"
	    " VALUES (:concert, :user, :token, 'WAITING', :now, :now)");
	struct ticket t;
	enum bo_status s;
	int64_t expired = 0, admitted = 0;
	int found = 0, admissible;

	memset(out, 0, sizeof *out);
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	/* Writing down what expired first frees the buyer's one live slot
	 * (queue_one_live) when its old ticket has lapsed. */
	s = admit_locked(db, concert_id, now, set, &expired, &admitted);
	if (s == BO_OK)
		s = find_ticket(db, concert_id, user_id, NULL, now, set, &t,
		    &found);
	if (s == BO_OK && (!found || (t.state != Q_WAITING &&
	    t.state != Q_ACTIVE))) {
		struct sql_stmt *st = sql_prepare(db, &insert_q);
		char token[QUEUE_TOKEN_LEN + 1];

		random_token(token, sizeof token, 16);
		sql_bind_int(st, ":concert", concert_id);
		sql_bind_int(st, ":user", user_id);
		sql_bind_text(st, ":token", token);
		sql_bind_int(st, ":now", now);
		if ((s = sql_run(db, st, NULL)) == BO_OK)
			s = admit_locked(db, concert_id, now, set, &expired,
			    &admitted);
		if (s == BO_OK)
			s = find_ticket(db, concert_id, user_id, NULL, now, set,
			    &t, &found);
	} else if (s == BO_OK && t.state == Q_WAITING) {
		s = mark_seen(db, t.id, now, set);
	}
	if (s == BO_OK && found)
		s = view_of(db, lines, &t, now, set, out, &admissible);
	if (s == BO_OK && out->state == Q_WAITING)
		s = estimate(db, now, set, out);
	return sql_end(db, s);
}

enum bo_status
queue_leave(struct db *db, int64_t concert_id, int64_t user_id, int64_t now)
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
	return sql_end(db, s);
}

enum bo_status
queue_expire_all(struct db *db, int64_t now, const struct settings *set,
    int64_t *expired, int64_t *admitted)
{
	/* The concerts with a ticket still written down as in line, live or
	 * not: those with something to write down. queue_one_live holds
	 * exactly those tickets, never the history. */
	enum { LIVE_CONCERT, LIVE__COLS };
	static struct sql q = SQL(LIVE__COLS,
	    "SELECT DISTINCT concert_id FROM queue_ticket"
	    " WHERE state IN ('WAITING','ACTIVE')");
	struct sql_stmt *st = sql_prepare(db, &q);
	int64_t *concerts = NULL;
	size_t n = 0, cap = 0;
	enum bo_status s;
	int rc;

	*expired = *admitted = 0;
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
		s = sql_end(db, admit_locked(db, concerts[i], now, set, expired,
		    admitted));
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
