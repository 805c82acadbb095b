/*
 * test_queue.c — the waiting queue (core/queue.c) against a real SQLite
 * file in a fresh mkdtemp folder, with the demo catalogue loaded.
 *
 * The clock is explicit: every call gets its `now`, starting at T0 and
 * moved by hand. Buyers are inserted with raw SQL (no scrypt). Settings are
 * loaded once per test and then overridden in the struct.
 *
 * Covers: join order and idempotent re-join; positions counting down as
 * buyers leave (lazy admission by looking); an ACTIVE ticket lapsing at
 * exactly active_ttl; an abandoned WAITING ticket skipped and never
 * revived; the last-seen write throttle (QUEUE_SEEN_EVERY) and polls never
 * reordering anyone; capacity never exceeded and never admitting out of
 * order; token checks; the ETA; queue_expire_all (cron); DONE freeing its
 * slot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "db.h"
#include "demo.h"
#include "queue.h"
#include "setting.h"

#include "fixture.h"

/* 2033-05-18 03:33:20 UTC: every test's base time. Demo sales are open. */
#define T0 INT64_C(2000000000)
#define CONCERT INT64_C(1)
#define OTHER_CONCERT INT64_C(2)
#define MAX_USERS 16

struct fixture {
	struct fx_files files;
	struct db *db;
	struct settings set;
	int64_t user[MAX_USERS]; /* buyers 0..MAX_USERS-1 */
};

/* ---- fixture: one fresh, migrated database with the demo per test ---- */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL || fx_demo_create(&f->files, "queue", T0, &f->db, &f->set,
	    MAX_USERS, f->user) != 0) {
		free(f);
		return -1;
	}
	/* Known values, whatever the defaults become. */
	f->set.queue_capacity = 1;
	f->set.active_ttl = 600;
	f->set.abandon_after = 120;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fx_db_destroy(&f->files, f->db);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static struct queue_view
join(struct fixture *f, int buyer, int64_t now)
{
	struct queue_view v;

	assert_int_equal(queue_join(f->db, CONCERT, f->user[buyer], now, &f->set,
	    NULL, &v), BO_OK);
	return v;
}

/* queue_status by token (NULL: the buyer's latest ticket), expecting BO_OK. */
static struct queue_view
look(struct fixture *f, int buyer, const char *token, int64_t now)
{
	struct queue_view v;

	assert_int_equal(queue_status(f->db, CONCERT, f->user[buyer], token, now,
	    &f->set, NULL, &v), BO_OK);
	return v;
}

static void
leave(struct fixture *f, int buyer, int64_t now)
{
	assert_int_equal(queue_leave(f->db, CONCERT, f->user[buyer], now), BO_OK);
}

/* The stored state of a ticket ("WAITING", "ACTIVE", ...). */
static void
stored_state(struct fixture *f, int64_t ticket_id, char *buf, size_t len)
{
	fx_text(f->db, buf, len,
	    "SELECT state FROM queue_ticket WHERE id = %lld",
	    (long long)ticket_id);
}

static void
assert_stored(struct fixture *f, int64_t ticket_id, const char *state)
{
	char buf[16];

	stored_state(f, ticket_id, buf, sizeof buf);
	assert_string_equal(buf, state);
}

static int64_t
stored_last_seen(struct fixture *f, int64_t ticket_id)
{
	return fx_int(f->db,
	    "SELECT last_seen FROM queue_ticket WHERE id = %lld",
	    (long long)ticket_id);
}

static int64_t
count_stored(struct fixture *f, const char *state)
{
	return fx_int(f->db, "SELECT count(*) FROM queue_ticket"
	    " WHERE concert_id = %lld AND state = '%s'", (long long)CONCERT,
	    state);
}

static void
assert_waiting(const struct queue_view *v, int64_t ahead)
{
	assert_int_equal(v->state, Q_WAITING);
	assert_int_equal(v->ahead, ahead);
	assert_true(v->poll_after_ms > 0);
}

static void
assert_token_shape(const char *token)
{
	assert_int_equal(strlen(token), QUEUE_TOKEN_LEN);
	for (const char *p = token; *p; p++)
		assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
}

/* ---- 1. join order, re-join ---- */

static void
join_order_and_rejoin(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, c, b2, c2;

	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	c = join(f, 2, T0 + 2);

	assert_int_equal(a.state, Q_ACTIVE);
	assert_int_equal(a.concert_id, CONCERT);
	assert_int_equal(a.admitted_at, T0);
	assert_int_equal(a.active_until, T0 + 600);
	assert_int_equal(a.ahead, 0);
	assert_waiting(&b, 0);
	assert_waiting(&c, 1);
	assert_int_equal(b.joined_at, T0 + 1);
	assert_int_equal(b.active_until, 0);
	/* Near the front: look again in a second. */
	assert_int_equal(b.poll_after_ms, 1000);
	assert_int_equal(c.poll_after_ms, 1000);

	assert_token_shape(a.token);
	assert_token_shape(b.token);
	assert_token_shape(c.token);
	assert_string_not_equal(a.token, b.token);
	assert_string_not_equal(a.token, c.token);
	assert_string_not_equal(b.token, c.token);
	assert_true(a.ticket_id < b.ticket_id && b.ticket_id < c.ticket_id);

	/* Joining again: the same ticket, token and place. */
	b2 = join(f, 1, T0 + 3);
	assert_waiting(&b2, 0);
	assert_string_equal(b2.token, b.token);
	assert_int_equal(b2.ticket_id, b.ticket_id);
	assert_int_equal(b2.joined_at, T0 + 1);
	c2 = join(f, 2, T0 + 4);
	assert_waiting(&c2, 1);
	assert_string_equal(c2.token, c.token);
	/* An ACTIVE buyer joining again keeps its ticket, not a longer one. */
	c2 = join(f, 0, T0 + 5);
	assert_int_equal(c2.state, Q_ACTIVE);
	assert_string_equal(c2.token, a.token);
	assert_int_equal(c2.active_until, T0 + 600);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM queue_ticket"), 3);
}

/* ---- 2. positions count down ---- */

static void
positions_count_down(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, c, d, v;

	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	c = join(f, 2, T0 + 2);
	d = join(f, 3, T0 + 3);
	assert_int_equal(a.state, Q_ACTIVE);
	assert_waiting(&b, 0);
	assert_waiting(&c, 1);
	assert_waiting(&d, 2);

	leave(f, 0, T0 + 10);
	assert_stored(f, a.ticket_id, "EXPIRED");
	/* Nobody is admitted until someone looks. */
	assert_stored(f, b.ticket_id, "WAITING");
	v = look(f, 0, NULL, T0 + 10);
	assert_int_equal(v.state, Q_EXPIRED);
	assert_stored(f, b.ticket_id, "WAITING");

	v = look(f, 1, b.token, T0 + 10);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(v.ticket_id, b.ticket_id);
	assert_int_equal(v.admitted_at, T0 + 10);
	assert_int_equal(v.active_until, T0 + 10 + 600);
	assert_stored(f, b.ticket_id, "ACTIVE");
	v = look(f, 2, c.token, T0 + 11);
	assert_waiting(&v, 0);
	v = look(f, 3, NULL, T0 + 11);
	assert_waiting(&v, 1);

	leave(f, 1, T0 + 20);
	v = look(f, 2, NULL, T0 + 20);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(v.active_until, T0 + 20 + 600);
	v = look(f, 3, d.token, T0 + 21);
	assert_waiting(&v, 0);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
}

/* ---- 3. an ACTIVE ticket lapses at exactly active_ttl ---- */

static void
active_expires_at_ttl(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, v;
	int64_t t;

	a = join(f, 0, T0);
	assert_int_equal(a.state, Q_ACTIVE);
	assert_int_equal(a.active_until, T0 + 600);
	b = join(f, 1, T0 + 1);
	assert_waiting(&b, 0);

	/* B keeps polling every 20 s so it is not abandoned. */
	for (t = T0 + 21; t < T0 + 599; t += 20) {
		v = look(f, 1, b.token, t);
		assert_waiting(&v, 0);
	}
	v = look(f, 1, b.token, T0 + 599);
	assert_waiting(&v, 0);
	v = look(f, 0, a.token, T0 + 599);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(v.active_until, T0 + 600);

	v = look(f, 0, a.token, T0 + 600);
	assert_int_equal(v.state, Q_EXPIRED);
	v = look(f, 1, b.token, T0 + 600);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(v.admitted_at, T0 + 600);
	assert_int_equal(v.active_until, T0 + 600 + 600);
	assert_stored(f, a.ticket_id, "EXPIRED");
	assert_stored(f, b.ticket_id, "ACTIVE");
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
}

/* ---- 4. an abandoned WAITING ticket is skipped ---- */

static void
abandoned_ticket_is_skipped(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, c, d, v, b2;
	int64_t t;

	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);  /* and never looks again */
	c = join(f, 2, T0 + 2);
	assert_int_equal(a.state, Q_ACTIVE);
	assert_waiting(&b, 0);
	assert_waiting(&c, 1);

	for (t = T0 + 22; t < T0 + 120; t += 20) {
		v = look(f, 2, c.token, t);
		assert_waiting(&v, 1);
	}
	/* At T+120 B (last seen T+1) still counts: 1 + 120 > 120. B is read
	 * through C's place: asking for B itself would mark B seen. */
	v = look(f, 2, c.token, T0 + 120);
	assert_waiting(&v, 1);
	assert_int_equal(stored_last_seen(f, b.ticket_id), T0 + 1);

	/* At T+121, last_seen + abandon_after <= now: B is gone. */
	v = look(f, 2, c.token, T0 + 121);
	assert_waiting(&v, 0);
	v = look(f, 1, b.token, T0 + 121);
	assert_int_equal(v.state, Q_EXPIRED);
	v = look(f, 1, NULL, T0 + 121);
	assert_int_equal(v.state, Q_EXPIRED);
	assert_int_equal(v.ticket_id, b.ticket_id);
	/* Looking did not revive it. */
	assert_int_equal(stored_last_seen(f, b.ticket_id), T0 + 1);

	leave(f, 0, T0 + 130);
	v = look(f, 2, c.token, T0 + 130);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(v.active_until, T0 + 130 + 600);
	assert_stored(f, b.ticket_id, "EXPIRED");
	assert_int_equal(fx_int(f->db,
	    "SELECT ended_at FROM queue_ticket WHERE id = %lld",
	    (long long)b.ticket_id), T0 + 1 + 120);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);

	v = look(f, 1, b.token, T0 + 131);
	assert_int_equal(v.state, Q_EXPIRED);
	v = look(f, 1, NULL, T0 + 131);
	assert_int_equal(v.state, Q_EXPIRED);
	assert_stored(f, b.ticket_id, "EXPIRED");

	/* Coming back means joining again, at the end of the line. */
	d = join(f, 3, T0 + 132);
	assert_waiting(&d, 0);
	b2 = join(f, 1, T0 + 133);
	assert_waiting(&b2, 1);
	assert_string_not_equal(b2.token, b.token);
	assert_true(b2.ticket_id > d.ticket_id);
	assert_int_equal(b2.joined_at, T0 + 133);
	/* The old token still names the old, expired ticket. */
	v = look(f, 1, b.token, T0 + 134);
	assert_int_equal(v.state, Q_EXPIRED);
	assert_int_equal(v.ticket_id, b.ticket_id);
}

/* ---- 5. last-seen throttle; polls never reorder ---- */

static void
snapshot(struct fixture *f, char *buf, size_t len)
{
	fx_text(f->db, buf, len, "SELECT group_concat(id || ':' || state, ',')"
	    " FROM (SELECT id, state FROM queue_ticket ORDER BY id)");
}

static void
last_seen_throttled(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, c, d, v;
	char before[512], after[512];
	int64_t t;

	a = join(f, 0, T0);
	b = join(f, 1, T0);
	c = join(f, 2, T0 + 1);
	d = join(f, 3, T0 + 2);
	assert_int_equal(a.state, Q_ACTIVE);
	assert_waiting(&b, 0);
	assert_int_equal(stored_last_seen(f, b.ticket_id), T0);

	for (t = T0 + 1; t <= T0 + 29; t++) {
		v = look(f, 1, b.token, t);
		assert_waiting(&v, 0);
		assert_int_equal(stored_last_seen(f, b.ticket_id), T0);
	}
	v = look(f, 1, b.token, T0 + 30);
	assert_waiting(&v, 0);
	assert_int_equal(stored_last_seen(f, b.ticket_id), T0 + 30);
	v = look(f, 1, NULL, T0 + 31);
	assert_int_equal(stored_last_seen(f, b.ticket_id), T0 + 30);

	/* Ten polls, some writing last_seen, change nobody's place or state. */
	snapshot(f, before, sizeof before);
	for (int i = 0; i < 10; i++) {
		int buyer = i % 4;

		v = look(f, buyer, NULL, T0 + 32 + 3 * i);
		assert_int_equal(v.state, buyer == 0 ? Q_ACTIVE : Q_WAITING);
		if (buyer != 0)
			assert_int_equal(v.ahead, buyer - 1);
	}
	snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	/* C and D were due (last seen T+1, T+2): their marks moved. */
	assert_true(stored_last_seen(f, c.ticket_id) > T0 + 1);
	assert_true(stored_last_seen(f, d.ticket_id) > T0 + 2);
}

/* ---- 6. never more than capacity, never out of order ---- */

static void
capacity_never_exceeded(void **state)
{
	struct fixture *f = *state;
	struct queue_view v[10], w;

	f->set.queue_capacity = 3;
	for (int i = 0; i < 10; i++) {
		v[i] = join(f, i, T0 + i);
		if (i < 3)
			assert_int_equal(v[i].state, Q_ACTIVE);
		else
			assert_waiting(&v[i], i - 3);
	}
	assert_int_equal(count_stored(f, "ACTIVE"), 3);
	assert_int_equal(count_stored(f, "WAITING"), 7);

	leave(f, 0, T0 + 20);
	leave(f, 1, T0 + 20);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);

	/* The 10th looks first: 6 ahead, 2 free slots. Nobody enters. */
	w = look(f, 9, v[9].token, T0 + 21);
	assert_waiting(&w, 6);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
	/* The 6th: 2 ahead, 2 free slots, still not its turn. */
	w = look(f, 5, v[5].token, T0 + 21);
	assert_waiting(&w, 2);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
	/* The 5th is within the free slots: it and the 4th enter. */
	w = look(f, 4, v[4].token, T0 + 22);
	assert_int_equal(w.state, Q_ACTIVE);
	assert_int_equal(w.active_until, T0 + 22 + 600);
	assert_int_equal(count_stored(f, "ACTIVE"), 3);
	assert_stored(f, v[2].ticket_id, "ACTIVE");
	assert_stored(f, v[3].ticket_id, "ACTIVE");
	assert_stored(f, v[4].ticket_id, "ACTIVE");
	for (int i = 5; i < 10; i++)
		assert_stored(f, v[i].ticket_id, "WAITING");

	/* Everybody looking changes nothing more. */
	for (int i = 2; i < 10; i++) {
		w = look(f, i, NULL, T0 + 23);
		if (i < 5)
			assert_int_equal(w.state, Q_ACTIVE);
		else
			assert_waiting(&w, i - 5);
	}
	assert_int_equal(count_stored(f, "ACTIVE"), 3);
	/* A re-join of someone waiting admits nobody either. */
	w = join(f, 9, T0 + 24);
	assert_waiting(&w, 4);
	assert_int_equal(count_stored(f, "ACTIVE"), 3);
}

/* ---- 7. tokens ---- */

static void
tokens_are_checked(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, b_other, v;
	static const char *const bad[] = {
		"",
		"short",
		"AAAAAAAAAAAAAAAAAAAA!A",   /* 22 chars with '!' */
		"AAAAAAAAAAAAAAAAAAAAAAA",  /* 23 chars */
		"AAAAAAAAAAAAAAAAAAAAA",    /* 21 chars */
		"AAAAAAAAAAAAAAAAAAAAA=",   /* padding is not base64url here */
	};

	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	assert_int_equal(queue_join(f->db, OTHER_CONCERT, f->user[1], T0 + 2,
	    &f->set, NULL, &b_other), BO_OK);
	assert_int_equal(b_other.concert_id, OTHER_CONCERT);
	/* Capacity is per concert: the other one has a free slot. */
	assert_int_equal(b_other.state, Q_ACTIVE);
	assert_string_not_equal(b_other.token, b.token);

	/* Another buyer's token. */
	assert_int_equal(queue_status(f->db, CONCERT, f->user[0], b.token, T0 + 3,
	    &f->set, NULL, &v), BO_FORBIDDEN);
	assert_int_equal(queue_status(f->db, CONCERT, f->user[1], a.token, T0 + 3,
	    &f->set, NULL, &v), BO_FORBIDDEN);
	assert_int_equal(queue_status(f->db, CONCERT, f->user[2], a.token, T0 + 3,
	    &f->set, NULL, &v), BO_FORBIDDEN);
	/* The buyer's own token of another concert. */
	assert_int_equal(queue_status(f->db, CONCERT, f->user[1], b_other.token,
	    T0 + 3, &f->set, NULL, &v), BO_FORBIDDEN);
	assert_int_equal(queue_status(f->db, OTHER_CONCERT, f->user[1], b.token,
	    T0 + 3, &f->set, NULL, &v), BO_FORBIDDEN);
	/* Well-formed but unknown. */
	assert_int_equal(queue_status(f->db, CONCERT, f->user[1],
	    "AAAAAAAAAAAAAAAAAAAAAA", T0 + 3, &f->set, NULL, &v), BO_FORBIDDEN);
	/* Malformed. */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(queue_status(f->db, CONCERT, f->user[1], bad[i],
		    T0 + 3, &f->set, NULL, &v), BO_FORBIDDEN);

	/* The right token still works, and nothing above changed anything. */
	v = look(f, 1, b.token, T0 + 4);
	assert_waiting(&v, 0);
	assert_int_equal(v.ticket_id, b.ticket_id);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);

	/* A buyer who never joined: BO_OK, Q_NONE. */
	v = look(f, 5, NULL, T0 + 5);
	assert_int_equal(v.state, Q_NONE);
	assert_int_equal(v.ticket_id, 0);
	assert_string_equal(queue_state_name(v.state), "none");
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM queue_ticket"), 3);
}

/* ---- 8. ETA ---- */

static void
eta_from_admission_rate(void **state)
{
	struct fixture *f = *state;
	struct queue_view v[6], c, d, e;

	f->set.abandon_after = 3600; /* nobody is abandoned here */
	v[0] = join(f, 0, T0);
	assert_int_equal(v[0].state, Q_ACTIVE);
	for (int i = 1; i < 6; i++) {
		v[i] = join(f, i, T0 + i);
		assert_waiting(&v[i], i - 1);
		/* One admission in the window, no rate yet: the bound of the
		 * turns ahead (capacity 1: a turn each, active_ttl long, the
		 * first begun at T0). */
		assert_int_equal(v[i].eta_seconds,
		    (i - 1 + 1) * f->set.active_ttl - i);
	}
	c = look(f, 2, NULL, T0 + 30);
	assert_int_equal(c.eta_seconds, 2 * f->set.active_ttl - 30);

	/* Each buyer leaves 60 s after being admitted. */
	leave(f, 0, T0 + 60);
	c = look(f, 1, NULL, T0 + 60);
	assert_int_equal(c.state, Q_ACTIVE);
	/* Two admissions (T, T+60): the ETA is known. */
	c = look(f, 2, NULL, T0 + 61);
	d = look(f, 3, NULL, T0 + 61);
	assert_waiting(&c, 0);
	assert_waiting(&d, 1);
	assert_true(c.eta_seconds > 0);
	assert_true(d.eta_seconds > c.eta_seconds);

	leave(f, 1, T0 + 120);
	c = look(f, 2, NULL, T0 + 120);
	assert_int_equal(c.state, Q_ACTIVE);
	leave(f, 2, T0 + 180);
	d = look(f, 3, NULL, T0 + 180);
	assert_int_equal(d.state, Q_ACTIVE);

	/* Four admissions, 60 s apart. */
	e = look(f, 4, NULL, T0 + 181);
	assert_waiting(&e, 0);
	c = look(f, 5, NULL, T0 + 181);
	assert_waiting(&c, 1);
	assert_true(e.eta_seconds > 0);
	assert_true(c.eta_seconds > e.eta_seconds);
	/* Roughly a minute per place: not wildly off. */
	assert_true(e.eta_seconds >= 30 && e.eta_seconds <= 120);
	assert_true(c.eta_seconds >= 60 && c.eta_seconds <= 240);

	/* An ACTIVE view carries no ETA. */
	d = look(f, 3, NULL, T0 + 182);
	assert_int_equal(d.state, Q_ACTIVE);
	assert_int_equal(d.eta_seconds, -1);
}

/* ---- 9. queue_expire_all (cron) ---- */

static void
expire_all_writes_down_and_admits(void **state)
{
	struct fixture *f = *state;
	struct queue_view v[5];
	int64_t expired, admitted, t;

	f->set.queue_capacity = 2;
	v[0] = join(f, 0, T0);
	v[1] = join(f, 1, T0);
	assert_int_equal(v[0].state, Q_ACTIVE);
	assert_int_equal(v[1].state, Q_ACTIVE);
	for (int i = 2; i < 5; i++) {
		v[i] = join(f, i, T0 + i - 1);
		assert_waiting(&v[i], i - 2);
	}
	/* Nothing to do yet. */
	assert_int_equal(queue_expire_all(f->db, T0 + 5, &f->set, &expired,
	    &admitted), BO_OK);
	assert_int_equal(expired, 0);
	assert_int_equal(admitted, 0);

	for (t = T0 + 10; t <= T0 + 500; t += 10)
		for (int i = 2; i < 5; i++) {
			struct queue_view w = look(f, i, v[i].token, t);

			assert_waiting(&w, i - 2);
		}
	/* Their marks are recent enough not to be abandoned at T+601. */
	assert_true(fx_int(f->db, "SELECT min(last_seen) FROM queue_ticket"
	    " WHERE state = 'WAITING'") > T0 + 601 - 120);

	assert_int_equal(queue_expire_all(f->db, T0 + 601, &f->set, &expired,
	    &admitted), BO_OK);
	assert_int_equal(expired, 2);
	assert_int_equal(admitted, 2);
	assert_stored(f, v[0].ticket_id, "EXPIRED");
	assert_stored(f, v[1].ticket_id, "EXPIRED");
	assert_stored(f, v[2].ticket_id, "ACTIVE");
	assert_stored(f, v[3].ticket_id, "ACTIVE");
	assert_stored(f, v[4].ticket_id, "WAITING");
	assert_int_equal(fx_int(f->db,
	    "SELECT admitted_at FROM queue_ticket WHERE id = %lld",
	    (long long)v[2].ticket_id), T0 + 601);

	/* Again at the same now: nothing. */
	assert_int_equal(queue_expire_all(f->db, T0 + 601, &f->set, &expired,
	    &admitted), BO_OK);
	assert_int_equal(expired, 0);
	assert_int_equal(admitted, 0);
	assert_int_equal(count_stored(f, "ACTIVE"), 2);
	assert_int_equal(count_stored(f, "WAITING"), 1);
}

/* ---- 10. DONE ---- */

static void
done_frees_its_slot(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, v;

	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	assert_int_equal(a.state, Q_ACTIVE);
	assert_waiting(&b, 0);

	fx_exec(f->db, "UPDATE queue_ticket SET state = 'DONE',"
	    " ended_at = %lld WHERE id = %lld", (long long)(T0 + 5),
	    (long long)a.ticket_id);

	v = look(f, 0, NULL, T0 + 6);
	assert_int_equal(v.state, Q_DONE);
	assert_string_equal(queue_state_name(v.state), "done");
	v = look(f, 0, a.token, T0 + 6);
	assert_int_equal(v.state, Q_DONE);

	v = look(f, 1, b.token, T0 + 6);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(v.active_until, T0 + 6 + 600);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
	assert_stored(f, a.ticket_id, "DONE");
}

/* ---- 11. joining again after a ticket lapsed ---- */

static void
rejoin_after_lapse_is_a_new_ticket(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, v;
	int64_t t;

	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	assert_int_equal(a.state, Q_ACTIVE);
	assert_waiting(&b, 0);
	for (t = T0 + 21; t < T0 + 600; t += 20) {
		v = look(f, 1, b.token, t);
		assert_waiting(&v, 0);
	}
	/* A's ticket lapsed but is still stored ACTIVE: joining writes it
	 * down, B (first in line) takes the slot, A queues behind. */
	assert_stored(f, a.ticket_id, "ACTIVE");
	v = join(f, 0, T0 + 600);
	assert_waiting(&v, 0);
	assert_string_not_equal(v.token, a.token);
	assert_true(v.ticket_id > b.ticket_id);
	assert_stored(f, a.ticket_id, "EXPIRED");
	assert_stored(f, b.ticket_id, "ACTIVE");
	v = look(f, 1, b.token, T0 + 601);
	assert_int_equal(v.state, Q_ACTIVE);
	assert_int_equal(v.active_until, T0 + 600 + 600);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
}

/* ---- 12. leaving while waiting ---- */

static void
leaving_while_waiting_moves_others_up(void **state)
{
	struct fixture *f = *state;
	struct queue_view b, c, d, v;

	(void)join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	c = join(f, 2, T0 + 2);
	d = join(f, 3, T0 + 3);
	assert_waiting(&d, 2);

	leave(f, 2, T0 + 10);
	assert_stored(f, c.ticket_id, "EXPIRED");
	v = look(f, 2, c.token, T0 + 10);
	assert_int_equal(v.state, Q_EXPIRED);
	v = look(f, 3, d.token, T0 + 10);
	assert_waiting(&v, 1);

	/* A leaves: D looks first but B is still ahead. */
	leave(f, 0, T0 + 20);
	v = look(f, 3, d.token, T0 + 20);
	assert_waiting(&v, 1);
	assert_int_equal(count_stored(f, "ACTIVE"), 0);
	v = look(f, 1, b.token, T0 + 20);
	assert_int_equal(v.state, Q_ACTIVE);
	v = look(f, 3, d.token, T0 + 21);
	assert_waiting(&v, 0);
	/* Leaving twice, or with nothing live, is harmless. */
	leave(f, 2, T0 + 22);
	leave(f, 9, T0 + 22);
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
}

/* ---- 13. poll interval ---- */

static void
poll_after_grows_and_is_capped(void **state)
{
	struct fixture *f = *state;
	struct queue_view v[13];

	for (int i = 0; i < 13; i++)
		v[i] = join(f, i, T0 + i);
	assert_waiting(&v[1], 0);
	assert_int_equal(v[1].poll_after_ms, 1000);
	assert_waiting(&v[10], 9);
	assert_int_equal(v[10].poll_after_ms, 1000);
	assert_waiting(&v[11], 10);
	assert_int_equal(v[11].poll_after_ms, 2000);
	/* Never slower than a quarter of abandon_after. With 2 s, only the
	 * buyer seen at T+11 still counts ahead of the one who joined at T+12. */
	f->set.abandon_after = 2;
	v[12] = look(f, 12, NULL, T0 + 12);
	assert_waiting(&v[12], 1);
	assert_int_equal(v[12].poll_after_ms, 500);
}

/*
 * ---- 14. a buyer who polls as told is never abandoned ----
 *
 * abandon_after may be set as low as 10 s (setting.c). A browser that
 * polls every poll_after_ms (capped at abandon_after / 4) has "polled
 * within abandon_after seconds" at every moment, so its ticket must stay
 * WAITING however long the wait.
 */
static void
faithful_poller_is_not_abandoned(void **state)
{
	struct fixture *f = *state;
	struct queue_view a, b, v;
	int64_t t, step;

	f->set.abandon_after = 20;
	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	assert_int_equal(a.state, Q_ACTIVE);
	assert_waiting(&b, 0);
	v = b;
	for (t = T0 + 1; t < T0 + 300; t += step) {
		step = (v.poll_after_ms + 999) / 1000;
		assert_true(step >= 1 && step < f->set.abandon_after);
		v = look(f, 1, b.token, t + step);
		if (v.state != Q_WAITING)
			fail_msg("abandon_after %lld, polling every %lld ms: %s at"
			    " T+%lld (last_seen stored T+%lld)",
			    (long long)f->set.abandon_after,
			    (long long)b.poll_after_ms, queue_state_name(v.state),
			    (long long)(t + step - T0),
			    (long long)(stored_last_seen(f, b.ticket_id) - T0));
	}
}

/* ---- 15. a long line: far back from a snapshot, near the front exact ---- */

/* The live waiting tickets ahead of ticket id, counted by SQL. */
static int64_t
true_ahead(struct fixture *f, int64_t id)
{
	return fx_int(f->db, "SELECT count(*) FROM queue_ticket WHERE"
	    " concert_id = %lld AND state = 'WAITING' AND id < %lld",
	    (long long)CONCERT, (long long)id);
}

static void
long_line_positions_from_snapshot(void **state)
{
	enum { LINE = 400 };
	struct fixture *f = *state;
	struct queue_lines *lines = queue_lines_new(); /* a worker's */
	int64_t user[LINE], ticket[LINE];
	struct queue_view v, last;
	char sql[160];

	for (int i = 0; i < LINE; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO user(email, pw_hash, created_at)"
		    " VALUES ('line%d@example.com', 'x', %lld)", i, (long long)T0);
		assert_int_equal(sqlite3_exec(f->db->handle, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		user[i] = sqlite3_last_insert_rowid(f->db->handle);
		assert_int_equal(queue_join(f->db, CONCERT, user[i], T0, &f->set, NULL, &v),
		    BO_OK);
		ticket[i] = v.ticket_id;
	}
	/* Buyer 0 is in; 399 wait. The last is far back. */
	assert_int_equal(queue_status(f->db, CONCERT, user[LINE - 1], NULL, T0 + 1,
	    &f->set, lines, &last), BO_OK);
	assert_waiting(&last, LINE - 2);
	assert_int_equal(last.ahead, true_ahead(f, ticket[LINE - 1]));

	/* Twenty near the front leave in the same second. */
	for (int i = 1; i <= 20; i++)
		assert_int_equal(queue_leave(f->db, CONCERT, user[i], T0 + 1), BO_OK);
	/* Near the front: exact at once. */
	assert_int_equal(queue_status(f->db, CONCERT, user[31], NULL, T0 + 1,
	    &f->set, lines, &v), BO_OK);
	assert_waiting(&v, 10);
	/* Far back: this second's snapshot, which can only overstate. */
	assert_int_equal(queue_status(f->db, CONCERT, user[LINE - 1], NULL, T0 + 1,
	    &f->set, lines, &v), BO_OK);
	assert_waiting(&v, LINE - 2);
	assert_true(v.ahead >= true_ahead(f, ticket[LINE - 1]));
	/* Without snapshots (as boxoffice-admin asks), or once its owner
	 * emptied them (the settings changed), exact at once. */
	assert_int_equal(queue_status(f->db, CONCERT, user[LINE - 1], NULL, T0 + 1,
	    &f->set, NULL, &v), BO_OK);
	assert_waiting(&v, LINE - 22);
	queue_lines_clear(lines);
	assert_int_equal(queue_status(f->db, CONCERT, user[LINE - 1], NULL, T0 + 1,
	    &f->set, lines, &v), BO_OK);
	assert_waiting(&v, LINE - 22);
	/* A second later, the snapshot is taken again: exact again. */
	assert_int_equal(queue_status(f->db, CONCERT, user[LINE - 1], NULL, T0 + 2,
	    &f->set, lines, &v), BO_OK);
	assert_waiting(&v, LINE - 22);
	assert_int_equal(v.ahead, true_ahead(f, ticket[LINE - 1]));
	/* Nobody was let in by a count: still exactly one ACTIVE. */
	assert_int_equal(count_stored(f, "ACTIVE"), 1);
	queue_lines_free(lines);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(join_order_and_rejoin),
		T(positions_count_down),
		T(active_expires_at_ttl),
		T(abandoned_ticket_is_skipped),
		T(last_seen_throttled),
		T(capacity_never_exceeded),
		T(tokens_are_checked),
		T(eta_from_admission_rate),
		T(expire_all_writes_down_and_admits),
		T(done_frees_its_slot),
		T(rejoin_after_lapse_is_a_new_ticket),
		T(leaving_while_waiting_moves_others_up),
		T(poll_after_grows_and_is_capped),
		T(faithful_poller_is_not_abandoned),
		T(long_line_positions_from_snapshot),
	};
#undef T

	return cmocka_run_group_tests_name("queue", tests, fx_group_setup,
	    NULL);
}
