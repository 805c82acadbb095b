/*
 * test_queue.c — the waiting line by calling (core/queue.c, issue 12)
 * against a real SQLite file in a fresh mkdtemp folder, with the demo
 * catalogue loaded.
 *
 * The clock is injected: every call gets its `now`, starting at T0 and
 * moved by hand. Buyers are inserted with raw SQL (no scrypt). Settings are
 * loaded once per test and then overridden in the struct.
 *
 * Covers: calling and claiming (the buyer who looks comes in); the claim
 * window passing (passed over, the slot goes on); a buyer away for hours
 * keeping their place (no heartbeat); capacity never exceeded and nobody
 * skipped under random orders of events (joins, looks, leaves, payments'
 * turn ends, cron, the public state's render, time passing); the
 * pre-queue's places a permutation, late arrivals behind it, no join
 * before the pre-queue opens; signed tokens (another buyer's, a forged
 * place, another concert, key rotation); the public state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "queue.h"
#include "queue_token.h"
#include "setting.h"

#include "fixture.h"

#define T0 FX_T0 /* demo sales are open */
#define CONCERT INT64_C(1)
#define OTHER_CONCERT INT64_C(2)
#define MAX_USERS FX_USERS_MAX
#define CLAIM 120

/* The sale of fixture.h with one slot in the line: turns of 10 minutes,
 * CLAIM seconds to come in when called. */
static int
setup(void **state)
{
	struct fx_sale *f = fx_sale_new("queue", MAX_USERS);

	if (f == NULL)
		return -1;
	f->set.queue_capacity = 1;
	f->set.active_ttl = 600;
	f->set.claim_seconds = CLAIM;
	*state = f;
	return 0;
}

/* ---- helpers ---- */

static struct queue_view
join(struct fx_sale *f, int buyer, int64_t now)
{
	struct queue_view v;

	assert_int_equal(queue_join(f->db, CONCERT, f->user[buyer], now, &f->set,
	    &v), BO_OK);
	assert_int_equal(queue_view_sign(f->db, f->user[buyer], &v), BO_OK);
	return v;
}

static struct queue_view
look(struct fx_sale *f, int buyer, const char *token, int64_t now)
{
	struct queue_view v;

	assert_int_equal(queue_status(f->db, CONCERT, f->user[buyer], token, now,
	    &f->set, &v), BO_OK);
	assert_int_equal(queue_view_sign(f->db, f->user[buyer], &v), BO_OK);
	return v;
}

static struct queue_public
line(struct fx_sale *f, int64_t now)
{
	struct queue_public p;

	assert_int_equal(queue_public_state(f->db, CONCERT, now, &f->set, &p),
	    BO_OK);
	return p;
}

static void
leave(struct fx_sale *f, int buyer, int64_t now)
{
	assert_int_equal(queue_leave(f->db, CONCERT, f->user[buyer], now,
	    &f->set), BO_OK);
}

/* Slots held at now: running turns and calls not yet answered. */
static int64_t
slots_taken(struct fx_sale *f, int64_t now)
{
	return fx_int(f->db, "SELECT count(*) FROM queue_ticket"
	    " WHERE concert_id = %lld AND ((state = 'ACTIVE' AND expires_at > %lld)"
	    " OR (state = 'WAITING' AND called_at IS NOT NULL"
	    " AND expires_at > %lld))", (long long)CONCERT, (long long)now,
	    (long long)now);
}

/* Nobody skipped: no ticket still waiting to be called sits at or before
 * the serving point, and the called ones were called in line order. */
static void
assert_nobody_skipped(struct fx_sale *f)
{
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM queue_ticket t"
	    " JOIN queue_counter c ON c.concert_id = t.concert_id"
	    " WHERE t.state = 'WAITING' AND t.called_at IS NULL"
	    " AND t.line_key <= c.serving_key"), 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM queue_ticket a"
	    " JOIN queue_ticket b ON a.concert_id = b.concert_id"
	    " WHERE a.called_at IS NOT NULL AND b.called_at IS NOT NULL"
	    " AND a.line_key < b.line_key AND (a.called_at > b.called_at"
	    " OR a.place >= b.place)"), 0);
}

/* ---- 1. calling and claiming ---- */

static void
called_buyer_comes_in_by_looking(void **state)
{
	struct fx_sale *f = *state;
	struct queue_view a, b;
	struct queue_public p;

	a = join(f, 0, T0);
	assert_int_equal(a.state, Q_ACTIVE); /* a free slot: called and in */
	assert_int_equal(a.place, 1);
	b = join(f, 1, T0 + 1);
	assert_int_equal(b.state, Q_WAITING);
	assert_int_equal(b.place, 2);
	assert_int_equal(b.ahead, 0);
	assert_int_equal(b.serving, 1);
	/* Joining again: the same ticket and number. */
	assert_int_equal(join(f, 1, T0 + 2).ticket_id, b.ticket_id);
	assert_int_equal(join(f, 1, T0 + 2).place, 2);

	/* A leaves: B is called in the same transaction, and holds the
	 * slot while not yet here. */
	leave(f, 0, T0 + 10);
	p = line(f, T0 + 10);
	assert_int_equal(p.serving, 2);
	assert_int_equal(p.waiting, 0);
	assert_int_equal(p.called_recent, 2);
	assert_int_equal(slots_taken(f, T0 + 10), 1);
	assert_int_equal(fx_int(f->db, "SELECT state = 'WAITING' AND called_at = %lld"
	    " FROM queue_ticket WHERE id = %lld", (long long)(T0 + 10),
	    (long long)b.ticket_id), 1);
	/* B looks: in, with the whole turn from now. */
	b = look(f, 1, b.token, T0 + 30);
	assert_int_equal(b.state, Q_ACTIVE);
	assert_int_equal(b.active_until, T0 + 30 + f->set.active_ttl);
	assert_nobody_skipped(f);
}

/* ---- 2. the claim window passing ---- */

static void
a_call_not_answered_passes_over(void **state)
{
	struct fx_sale *f = *state;
	struct queue_view b, c;

	join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	c = join(f, 2, T0 + 2);
	assert_int_equal(c.ahead, 1);
	leave(f, 0, T0 + 10);              /* B called at T0 + 10 */
	/* Within the window C stays behind B. */
	c = look(f, 2, c.token, T0 + 10 + CLAIM - 1);
	assert_int_equal(c.state, Q_WAITING);
	assert_int_equal(c.ahead, 0);
	assert_int_equal(slots_taken(f, T0 + 10 + CLAIM - 1), 1);
	/* At the end of the window B is passed over and C called; C's
	 * look is C coming in. */
	c = look(f, 2, c.token, T0 + 10 + CLAIM);
	assert_int_equal(c.state, Q_ACTIVE);
	b = look(f, 1, b.token, T0 + 10 + CLAIM + 1);
	assert_int_equal(b.state, Q_EXPIRED);
	assert_int_equal(fx_int(f->db, "SELECT ended_at FROM queue_ticket"
	    " WHERE id = %lld", (long long)b.ticket_id), T0 + 10 + CLAIM);
	/* B may join again, at the end of the line. */
	b = join(f, 1, T0 + 200);
	assert_int_equal(b.state, Q_WAITING);
	assert_int_equal(b.place, 4);
	assert_nobody_skipped(f);
}

/* ---- 3. away for hours, place kept ---- */

static void
a_buyer_away_keeps_the_place(void **state)
{
	struct fx_sale *f = *state;
	struct queue_view b, c;
	int64_t expired = 0, called = 0;

	f->set.active_ttl = 86400;
	join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	c = join(f, 2, T0 + 2);
	/* Nobody hears from C for five hours; cron runs meanwhile. */
	for (int64_t t = T0 + 60; t <= T0 + 5 * 3600; t += 60)
		assert_int_equal(queue_expire_all(f->db, t, &f->set, &expired,
		    &called), BO_OK);
	assert_int_equal(expired, 0);
	c = look(f, 2, c.token, T0 + 5 * 3600);
	assert_int_equal(c.state, Q_WAITING);
	assert_int_equal(c.place, 3);
	assert_int_equal(c.ahead, 1);
	/* And when the line moves, C's turn comes in order. */
	leave(f, 0, T0 + 5 * 3600 + 1);
	leave(f, 1, T0 + 5 * 3600 + 2);
	c = look(f, 2, c.token, T0 + 5 * 3600 + 3);
	assert_int_equal(c.state, Q_ACTIVE);
	(void)b;
}

/* ---- 4. capacity never exceeded, nobody skipped, any order ---- */

static void
any_order_of_events_keeps_the_rules(void **state)
{
	struct fx_sale *f = *state;
	struct queue_view v;
	int64_t now = T0, expired, called;
	unsigned seed = 12;

	f->set.queue_capacity = 3;
	f->set.active_ttl = 300;
	for (int step = 0; step < 3000; step++) {
		int buyer = (int)(rand_r(&seed) % 16);
		int ev = (int)(rand_r(&seed) % 8);

		now += rand_r(&seed) % 40;
		switch (ev) {
		case 0: case 1:
			assert_int_equal(queue_join(f->db, CONCERT, f->user[buyer],
			    now, &f->set, &v), BO_OK);
			break;
		case 2: case 3:
			assert_int_equal(queue_status(f->db, CONCERT, f->user[buyer],
			    NULL, now, &f->set, &v), BO_OK);
			break;
		case 4:
			leave(f, buyer, now);
			break;
		case 5:
			/* A payment ends the turn (DONE) inside its own
			 * write; the next look calls again. */
			assert_int_equal(db_begin_write(f->db), BO_OK);
			assert_int_equal(queue_turn_end(f->db, CONCERT,
			    f->user[buyer], now), BO_OK);
			assert_int_equal(db_commit(f->db), BO_OK);
			break;
		case 6:
			assert_int_equal(queue_expire_all(f->db, now, &f->set,
			    &expired, &called), BO_OK);
			break;
		default:
			line(f, now);
			break;
		}
		assert_true(slots_taken(f, now) <= f->set.queue_capacity);
		assert_nobody_skipped(f);
		/* The serving number never passes the last number given. */
		assert_int_equal(fx_int(f->db, "SELECT count(*) FROM queue_counter"
		    " WHERE serving >= next_place"), 0);
	}
	/* The line moved: many were called, in order. */
	assert_true(fx_int(f->db, "SELECT count(*) FROM queue_ticket"
	    " WHERE called_at IS NOT NULL") > 100);
}

/* ---- 5. the pre-queue ---- */

/* Concert 1's sales open at T0 + 1000: the pre-queue (by default) from
 * T0 - 800. */
static void
sale_opens_later(struct fx_sale *f)
{
	fx_exec(f->db, "UPDATE performance SET sale_opens_at = %lld"
	    " WHERE concert_id = %lld", (long long)(T0 + 1000),
	    (long long)CONCERT);
}

static void
prequeue_places_are_a_permutation(void **state)
{
	struct fx_sale *f = *state;
	enum { N = 20 };
	struct queue_view v, late;
	struct queue_public p;
	int64_t ticket[N], seen[N + 1] = { 0 };
	int in_order = 1;

	sale_opens_later(f);
	assert_int_equal(queue_join(f->db, CONCERT, f->user[0], T0 - 801,
	    &f->set, &v), BO_CONFLICT); /* before the pre-queue */
	p = line(f, T0 - 801);
	assert_int_equal(p.state, QL_PREQUEUE);
	assert_int_equal(p.prequeue_opens, T0 - 800);
	assert_int_equal(p.opens_at, T0 + 1000);
	for (int i = 0; i < N; i++) {
		v = join(f, i, T0 - 800 + i);
		assert_int_equal(v.state, Q_PREQUEUE);
		assert_int_equal(v.place, 0);
		assert_int_equal(v.opens_at, T0 + 1000);
		assert_int_equal(v.eta_seconds, T0 + 1000 - (T0 - 800 + i));
		ticket[i] = v.ticket_id;
	}
	assert_int_equal(line(f, T0 + 999).waiting, N);
	assert_int_equal(line(f, T0 + 999).serving, 0);
	assert_int_equal(slots_taken(f, T0 + 999), 0); /* nobody called early */

	/* The opening: the first look opens the line (no big write) and
	 * calls the first place. */
	late = join(f, N, T0 + 1000);
	assert_int_equal(late.state, Q_WAITING);
	assert_int_equal(late.place, N + 1); /* behind the whole pre-queue */
	for (int i = 0; i < N; i++) {
		v = look(f, i, NULL, T0 + 1001);
		assert_int_equal(v.ticket_id, ticket[i]);
		assert_true(v.place >= 1 && v.place <= N);
		assert_int_equal(seen[v.place], 0);
		seen[v.place] = 1;
		if (v.place != i + 1)
			in_order = 0;
	}
	/* 20 arrivals in their arrival order by chance: 1 in 20!. */
	assert_false(in_order);
	/* A pre-queue join after the opening is a late one. */
	v = join(f, N + 1, T0 + 1002);
	assert_int_equal(v.place, N + 2);
	assert_nobody_skipped(f);
}

static void
prequeue_opening_is_set_per_concert(void **state)
{
	struct fx_sale *f = *state;
	struct queue_view v;

	sale_opens_later(f);
	assert_int_equal(queue_set_prequeue(f->db, CONCERT, T0 - 5000), BO_OK);
	assert_int_equal(line(f, T0).prequeue_opens, T0 - 5000);
	v = join(f, 0, T0 - 4000);
	assert_int_equal(v.state, Q_PREQUEUE);
	assert_int_equal(queue_set_prequeue(f->db, 999, T0), BO_NOT_FOUND);
	/* Once the line has opened, its pre-queue is drawn: no change. */
	line(f, T0 + 1000);
	assert_int_equal(queue_set_prequeue(f->db, CONCERT, 0), BO_CONFLICT);
}

/* ---- 6. signed tokens ---- */

static void
tokens_are_bound_and_signed(void **state)
{
	struct fx_sale *f = *state;
	struct queue_view a, b, v;
	char forged[QUEUE_TOKEN_MAX + 1];
	char *dot;
	int64_t key = 0;

	a = join(f, 0, T0);
	b = join(f, 1, T0 + 1);
	assert_int_equal(strncmp(b.token, "q1.", 3), 0);
	/* Another buyer's token. */
	assert_int_equal(queue_status(f->db, CONCERT, f->user[0], b.token, T0 + 2,
	    &f->set, &v), BO_FORBIDDEN);
	/* Another concert's path. */
	assert_int_equal(queue_status(f->db, OTHER_CONCERT, f->user[1], b.token,
	    T0 + 2, &f->set, &v), BO_FORBIDDEN);
	/* A better place written in: the MAC no longer fits. */
	snprintf(forged, sizeof forged, "%s", b.token);
	dot = strrchr(forged, '.');
	assert_non_null(dot);
	assert_int_equal(dot[-1], '2');
	dot[-1] = '1';
	assert_int_equal(queue_status(f->db, CONCERT, f->user[1], forged, T0 + 2,
	    &f->set, &v), BO_FORBIDDEN);
	assert_int_equal(queue_status(f->db, CONCERT, f->user[1], "q1.1.1.1.1.x",
	    T0 + 2, &f->set, &v), BO_FORBIDDEN);
	assert_int_equal(queue_status(f->db, CONCERT, f->user[1],
	    "abcdefghijklmnopqrstuv", T0 + 2, &f->set, &v), BO_FORBIDDEN);
	/* concert 0: the token names it. */
	v = look(f, 1, b.token, T0 + 2);
	assert_int_equal(queue_status(f->db, 0, f->user[1], b.token, T0 + 2,
	    &f->set, &v), BO_OK);
	assert_int_equal(v.concert_id, CONCERT);
	assert_int_equal(v.place, 2);

	/* A rotation: the old token still verifies, new ones name the new
	 * key; a second rotation retires the first key. */
	assert_int_equal(queue_key_rotate(f->db, T0 + 3, &key), BO_OK);
	look(f, 1, b.token, T0 + 4);
	v = look(f, 1, NULL, T0 + 4);
	assert_string_not_equal(v.token, b.token);
	assert_int_equal(queue_key_rotate(f->db, T0 + 5, &key), BO_OK);
	assert_int_equal(queue_status(f->db, CONCERT, f->user[1], b.token, T0 + 6,
	    &f->set, &v), BO_FORBIDDEN);
	(void)a;
}

/* ---- 7. the public state ---- */

static void
public_state_follows_the_line(void **state)
{
	struct fx_sale *f = *state;
	struct queue_public p;

	p = line(f, T0);
	assert_int_equal(p.state, QL_OPEN);
	assert_int_equal(p.serving, 0);
	assert_int_equal(p.waiting, 0);
	for (int i = 0; i < 5; i++)
		join(f, i, T0 + i);
	p = line(f, T0 + 10);
	assert_int_equal(p.serving, 1);
	assert_int_equal(p.waiting, 4);
	assert_int_equal(p.at, T0 + 10);
	/* The turn lapses: the state's own render moves the line. */
	p = line(f, T0 + 600);
	assert_int_equal(p.serving, 2);
	assert_int_equal(p.waiting, 3);
	assert_int_equal(queue_public_state(f->db, 999, T0, &f->set, &p),
	    BO_NOT_FOUND);
	/* After the last sale closed: closed, nobody called, no joins. */
	fx_exec(f->db, "UPDATE performance SET sale_closes_at = %lld,"
	    " starts_at = %lld WHERE concert_id = %lld", (long long)(T0 + 700),
	    (long long)(T0 + 800), (long long)CONCERT);
	p = line(f, T0 + 2000);
	assert_int_equal(p.state, QL_CLOSED);
	assert_int_equal(p.serving, 2);
	{
		struct queue_view v;

		assert_int_equal(queue_join(f->db, CONCERT, f->user[9], T0 + 2000,
		    &f->set, &v), BO_CONFLICT);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(called_buyer_comes_in_by_looking,
		    setup, fx_sale_teardown),
		cmocka_unit_test_setup_teardown(a_call_not_answered_passes_over,
		    setup, fx_sale_teardown),
		cmocka_unit_test_setup_teardown(a_buyer_away_keeps_the_place,
		    setup, fx_sale_teardown),
		cmocka_unit_test_setup_teardown(any_order_of_events_keeps_the_rules,
		    setup, fx_sale_teardown),
		cmocka_unit_test_setup_teardown(prequeue_places_are_a_permutation,
		    setup, fx_sale_teardown),
		cmocka_unit_test_setup_teardown(prequeue_opening_is_set_per_concert,
		    setup, fx_sale_teardown),
		cmocka_unit_test_setup_teardown(tokens_are_bound_and_signed,
		    setup, fx_sale_teardown),
		cmocka_unit_test_setup_teardown(public_state_follows_the_line,
		    setup, fx_sale_teardown),
	};

	return cmocka_run_group_tests(tests, fx_group_setup, NULL);
}
