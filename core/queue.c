/*
 * queue.c — the waiting queue (see queue.h).
 *
 * Admission is computed, not scheduled: a WAITING ticket may enter when the
 * live tickets ahead of it are fewer than the free slots. Whoever looks
 * first (the buyer's poll, a gated page, cron) then writes the admission in
 * one BEGIN IMMEDIATE transaction that recounts everything against
 * committed state, so capacity is never exceeded and order never skipped.
 */
#include "queue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "arena.h"
#include "parse.h"

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
	char state[8];
	int64_t joined_at, last_seen, admitted_at, expires_at;
};

const char *
queue_state_name(enum queue_state s)
{
	static const char *const names[] = { "none", "waiting", "active", "done",
	    "expired" };

	return names[s];
}

static void
read_ticket(sqlite3_stmt *st, struct ticket *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->concert_id = sqlite3_column_int64(st, 1);
	t->user_id = sqlite3_column_int64(st, 2);
	snprintf(t->token, sizeof t->token, "%s", db_col_text(st, 3));
	snprintf(t->state, sizeof t->state, "%s", db_col_text(st, 4));
	t->joined_at = sqlite3_column_int64(st, 5);
	t->last_seen = sqlite3_column_int64(st, 6);
	t->admitted_at = sqlite3_column_int64(st, 7);
	t->expires_at = sqlite3_column_int64(st, 8);
}

/* Finds a ticket by token, or the buyer's latest; 0 when there is none. */
static int
find_ticket(struct db *db, int64_t concert_id, int64_t user_id,
    const char *token, struct ticket *t, int *rc)
{
	sqlite3_stmt *st;
	int found;

	if (token != NULL) {
		st = db_stmt(db, STMT_QUEUE_BY_TOKEN);
		db_bind_text(st, 1, token);
	} else {
		st = db_stmt(db, STMT_QUEUE_BY_USER);
		db_bind_int(st, 1, concert_id);
		db_bind_int(st, 2, user_id);
	}
	*rc = sqlite3_step(st);
	if ((found = *rc == SQLITE_ROW))
		read_ticket(st, t);
	db_reset(st);
	if (*rc == SQLITE_ROW)
		*rc = SQLITE_DONE;
	return found;
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

/* The snapshot of a concert's line in c, taken again when it is a second
 * old; NULL on a database error. */
static const struct line_snapshot *
line_of(struct db *db, struct queue_lines *c, int64_t concert_id, int64_t now,
    const struct settings *set, int *rc)
{
	struct line_snapshot *l;
	sqlite3_stmt *st;

	l = &c->line[(uint64_t)concert_id % QUEUE_SNAPSHOT_SLOTS];
	if (l->concert_id == concert_id && l->taken_at == now)
		return l;
	l->concert_id = concert_id;
	l->taken_at = now;
	l->n = 0;
	st = db_stmt(db, STMT_QUEUE_LINE);
	db_bind_int(st, 1, concert_id);
	db_bind_int(st, 2, now - set->abandon_after);
	while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 256;
			l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
		}
		l->ids[l->n++] = sqlite3_column_int64(st, 0);
	}
	db_reset(st);
	if (*rc != SQLITE_DONE) {
		l->concert_id = 0;
		return NULL;
	}
	return l;
}

/* Live waiting tickets ahead of ticket id: from the snapshot in lines
 * (when there are lines) when that says the ticket is far back, else
 * counted exactly. */
static int64_t
ahead_of(struct db *db, struct queue_lines *lines, int64_t concert_id,
    int64_t id, int64_t now, const struct settings *set, int *rc)
{
	const struct line_snapshot *l = NULL;

	*rc = SQLITE_DONE;
	if (lines != NULL)
		l = line_of(db, lines, concert_id, now, set, rc);
	if (l != NULL) {
		size_t lo = 0, hi = l->n;

		while (lo < hi) { /* ids below id */
			size_t mid = lo + (hi - lo) / 2;

			if (l->ids[mid] < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > QUEUE_EXACT_WINDOW)
			return (int64_t)lo;
	} else if (*rc != SQLITE_DONE) {
		return 0;
	}
	return db_count(db, STMT_QUEUE_AHEAD, 3, (int64_t[]){ concert_id, id,
	    now - set->abandon_after }, rc);
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
static int
view_of(struct db *db, struct queue_lines *lines, const struct ticket *t,
    int64_t now, const struct settings *set, struct queue_view *out,
    int *admissible)
{
	int rc = SQLITE_DONE;

	memset(out, 0, sizeof *out);
	*admissible = 0;
	out->ticket_id = t->id;
	out->concert_id = t->concert_id;
	snprintf(out->token, sizeof out->token, "%s", t->token);
	out->joined_at = t->joined_at;
	out->eta_seconds = -1;
	out->poll_after_ms = poll_after(0, set);
	if (strcmp(t->state, "DONE") == 0) {
		out->state = Q_DONE;
	} else if (strcmp(t->state, "ACTIVE") == 0) {
		out->state = t->expires_at > now ? Q_ACTIVE : Q_EXPIRED;
		out->admitted_at = t->admitted_at;
		out->active_until = t->expires_at;
	} else if (strcmp(t->state, "WAITING") == 0 &&
	    t->last_seen > now - set->abandon_after) {
		int64_t active;

		out->state = Q_WAITING;
		out->ahead = ahead_of(db, lines, t->concert_id, t->id, now, set,
		    &rc);
		if (rc == SQLITE_DONE)
			active = db_count(db, STMT_QUEUE_ACTIVE_COUNT, 2,
			    (int64_t[]){ t->concert_id, now }, &rc);
		*admissible = rc == SQLITE_DONE &&
		    out->ahead < set->queue_capacity - active;
		out->poll_after_ms = poll_after(out->ahead, set);
	} else {
		out->state = Q_EXPIRED;
	}
	return rc;
}

/* Inside a write transaction: writes down lazily expired tickets of a
 * concert and admits the oldest waiting into the free slots. */
static int
admit_locked(struct db *db, int64_t concert_id, int64_t now,
    const struct settings *set, int64_t *expired, int64_t *admitted)
{
	sqlite3_stmt *st;
	int64_t active, free_slots;
	int rc;

	st = db_stmt(db, STMT_QUEUE_EXPIRE_ACTIVE);
	db_bind_int(st, 1, concert_id);
	db_bind_int(st, 2, now);
	rc = sqlite3_step(st);
	db_reset(st);
	*expired += sqlite3_changes(db->handle);
	if (rc != SQLITE_DONE)
		return rc;
	st = db_stmt(db, STMT_QUEUE_EXPIRE_WAITING);
	db_bind_int(st, 1, concert_id);
	db_bind_int(st, 2, now - set->abandon_after);
	db_bind_int(st, 3, set->abandon_after);
	rc = sqlite3_step(st);
	db_reset(st);
	*expired += sqlite3_changes(db->handle);
	if (rc != SQLITE_DONE)
		return rc;
	active = db_count(db, STMT_QUEUE_ACTIVE_COUNT, 2,
	    (int64_t[]){ concert_id, now }, &rc);
	if (rc != SQLITE_DONE)
		return rc;
	free_slots = set->queue_capacity - active;
	if (free_slots <= 0)
		return SQLITE_DONE;
	st = db_stmt(db, STMT_QUEUE_ADMIT);
	db_bind_int(st, 1, concert_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, set->active_ttl);
	db_bind_int(st, 4, free_slots);
	rc = sqlite3_step(st);
	db_reset(st);
	*admitted += sqlite3_changes(db->handle);
	return rc;
}

static int
mark_seen(struct db *db, int64_t ticket_id, int64_t now,
    const struct settings *set)
{
	sqlite3_stmt *st = db_stmt(db, STMT_QUEUE_SEEN);
	int rc;

	db_bind_int(st, 1, ticket_id);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, now - set->abandon_after);
	rc = sqlite3_step(st);
	db_reset(st);
	return rc;
}

/* The measured admission rate gives the wait; unknown without history. */
static int
estimate(struct db *db, int64_t now, struct queue_view *v)
{
	sqlite3_stmt *st = db_stmt(db, STMT_QUEUE_RATE);
	int rc;

	db_bind_int(st, 1, v->concert_id);
	db_bind_int(st, 2, now - QUEUE_RATE_WINDOW);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(st, 0);
		int64_t span = now - sqlite3_column_int64(st, 1);

		/* n admissions since the first one, span seconds ago: n - 1
		 * intervals. The buyer is ahead + 1 admissions away. */
		if (n >= 2 && span > 0)
			v->eta_seconds = ((v->ahead + 1) * span + n - 2) / (n - 1);
		rc = SQLITE_DONE;
	}
	db_reset(st);
	return rc;
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
	int admissible = 0, found, rc, write = 0;
	int64_t expired = 0, admitted = 0;

	memset(out, 0, sizeof *out);
	if (token != NULL && !parse_token(token, QUEUE_TOKEN_LEN))
		return BO_FORBIDDEN;
	for (;;) {
		s = write ? db_begin_write(db) : db_begin_read(db);
		if (s != BO_OK)
			return s;
		found = find_ticket(db, concert_id, user_id, token, &t, &rc);
		if (rc != SQLITE_DONE) {
			/* Not "no such ticket": the read failed. */
			s = db_status(db, rc, "queue_status");
			db_rollback(db);
			return s;
		}
		if (found && concert_id == 0)
			concert_id = t.concert_id; /* the token names its concert */
		if (found && (t.user_id != user_id || t.concert_id != concert_id)) {
			db_rollback(db);
			return BO_FORBIDDEN;
		}
		if (!found && token != NULL) {
			db_rollback(db);
			return BO_FORBIDDEN;
		}
		if (found && rc == SQLITE_DONE && write) {
			if (admissible)
				rc = admit_locked(db, concert_id, now, set, &expired,
				    &admitted);
			else
				rc = mark_seen(db, t.id, now, set);
			if (rc == SQLITE_DONE)
				found = find_ticket(db, concert_id, user_id, token,
				    &t, &rc);
		}
		if (found && rc == SQLITE_DONE)
			rc = view_of(db, lines, &t, now, set, out, &admissible);
		if (out->state == Q_WAITING && rc == SQLITE_DONE)
			rc = estimate(db, now, out);
		if ((s = db_status(db, rc, "queue_status")) != BO_OK) {
			db_rollback(db);
			return s;
		}
		if ((s = db_commit(db)) != BO_OK)
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
	struct ticket t;
	enum bo_status s;
	int64_t expired = 0, admitted = 0;
	int found, rc, admissible;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	/* Writing down what expired first frees the buyer's one live slot
	 * (queue_one_live) when its old ticket has lapsed. */
	rc = admit_locked(db, concert_id, now, set, &expired, &admitted);
	found = rc == SQLITE_DONE &&
	    find_ticket(db, concert_id, user_id, NULL, &t, &rc);
	if (rc == SQLITE_DONE && (!found || (strcmp(t.state, "WAITING") != 0 &&
	    strcmp(t.state, "ACTIVE") != 0))) {
		sqlite3_stmt *st = db_stmt(db, STMT_QUEUE_INSERT);
		char token[QUEUE_TOKEN_LEN + 1];

		random_token(token, sizeof token, 16);
		db_bind_int(st, 1, concert_id);
		db_bind_int(st, 2, user_id);
		db_bind_text(st, 3, token);
		db_bind_int(st, 4, now);
		rc = sqlite3_step(st);
		db_reset(st);
		if (rc == SQLITE_DONE)
			rc = admit_locked(db, concert_id, now, set, &expired,
			    &admitted);
		if (rc == SQLITE_DONE)
			found = find_ticket(db, concert_id, user_id, NULL, &t, &rc);
	} else if (rc == SQLITE_DONE && strcmp(t.state, "WAITING") == 0) {
		rc = mark_seen(db, t.id, now, set);
	}
	if (rc == SQLITE_DONE && found)
		rc = view_of(db, lines, &t, now, set, out, &admissible);
	if (rc == SQLITE_DONE && out->state == Q_WAITING)
		rc = estimate(db, now, out);
	if ((s = db_status(db, rc, "queue_join")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
queue_leave(struct db *db, int64_t concert_id, int64_t user_id, int64_t now)
{
	struct ticket t;
	enum bo_status s;
	int rc, found;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	found = find_ticket(db, concert_id, user_id, NULL, &t, &rc);
	if (found && rc == SQLITE_DONE) {
		sqlite3_stmt *st = db_stmt(db, STMT_QUEUE_LEAVE);

		db_bind_int(st, 1, t.id);
		db_bind_int(st, 2, user_id);
		db_bind_int(st, 3, now);
		rc = sqlite3_step(st);
		db_reset(st);
	}
	/* "I am done": the seats still held go back on sale with the turn,
	 * in this transaction (paying needs no turn, so they would otherwise
	 * stay blocked until they lapse). */
	if (rc == SQLITE_DONE) {
		sqlite3_stmt *st = db_stmt(db, STMT_HOLD_RELEASE_CONCERT);

		db_bind_int(st, 1, concert_id);
		db_bind_int(st, 2, user_id);
		db_bind_int(st, 3, now);
		rc = sqlite3_step(st);
		db_reset(st);
	}
	if ((s = db_status(db, rc, "queue_leave")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
queue_expire_all(struct db *db, int64_t now, const struct settings *set,
    int64_t *expired, int64_t *admitted)
{
	sqlite3_stmt *st = db_stmt(db, STMT_QUEUE_CONCERTS_LIVE);
	int64_t *concerts = NULL;
	size_t n = 0, cap = 0;
	enum bo_status s = BO_OK;
	int rc;

	*expired = *admitted = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			concerts = xrealloc(concerts, cap * sizeof *concerts);
		}
		concerts[n++] = sqlite3_column_int64(st, 0);
	}
	db_reset(st);
	if (rc != SQLITE_DONE)
		s = db_status(db, rc, "queue_expire_all");
	/* One short transaction per concert: cron never holds the write
	 * lock for long. */
	for (size_t i = 0; i < n && s == BO_OK; i++) {
		if ((s = db_begin_write(db)) != BO_OK)
			break;
		rc = admit_locked(db, concerts[i], now, set, expired, admitted);
		if ((s = db_status(db, rc, "queue_expire_all")) != BO_OK)
			db_rollback(db);
		else
			s = db_commit(db);
	}
	free(concerts);
	return s;
}
