/*
 * test_order.c — orders of several seats (core/order.c) and paying them
 * once (payment_pay_holds, core/payment.c) against a real SQLite file
 * with the demo catalogue: best available's choice (front-most row, its
 * middle, adjacent only), all or none with the taken seats named, the
 * limit counting every seat, one payment and one debit for an order, and
 * the schema refusing a later deadline (schema/015_orders.sql).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "order.h"
#include "payment.h"
#include "queue.h"
#include "setting.h"
#include "wallet.h"

#include "fixture.h"

#define T0 FX_T0
#define CLUB_CONCERT INT64_C(2)  /* Midnight Jazz Session */
#define CLUB_PERF INT64_C(3)     /* Floor, rows A–E of 10 seats, 55,000 */
#define PRICE INT64_C(55000)
#define USERS 3

/* The sale of fixture.h, every buyer in the club concert's line and let
 * in. */
static int
setup(void **state)
{
	struct fx_sale *f = fx_sale_new("order", USERS);

	if (f == NULL)
		return -1;
	*state = f;
	f->set.max_charge = 10000000;
	for (int i = 0; i < USERS; i++)
		fx_admit(f, i, CLUB_CONCERT, T0);
	return 0;
}

/* The id of seat ROW-NUMBER of the club's first date. */
static int64_t
seat(struct fx_sale *f, char row, int number)
{
	return fx_int(f->db, "SELECT id FROM seat WHERE performance_id = %lld"
	    " AND row_label = '%c' AND number = %d", (long long)CLUB_PERF, row,
	    number);
}

/* "A4 A5 A6": an order's seats in words. */
static const char *
seats_of(struct fx_sale *f, const struct order_view *o)
{
	size_t cap = o->n * 8 + 1, len = 0;
	char *s = arena_alloc(&f->a, cap);

	for (size_t i = 0; i < o->n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%s%lld", i ? " " : "",
		    o->holds[i].row, (long long)o->holds[i].number);
	return s;
}

static void
best_available_is_the_front_row_middle(void **state)
{
	struct fx_sale *f = *state;
	int64_t front[8];
	struct order_view o;
	struct order_refusal why;
	int n = 0;

	assert_int_equal(order_best(f->db, &f->a, CLUB_PERF, "Floor", 3,
	    f->user[0], T0, &f->set, NULL, &o), BO_OK);
	assert_string_equal(seats_of(f, &o), "A4 A5 A6");
	assert_int_equal(o.held, 3);
	assert_int_equal(o.total, 3 * PRICE);
	assert_int_equal(o.expires_at, T0 + 300);
	/* The front row full but for A2–A3 (buyer 1 takes the rest). */
	for (int i = 1; i <= 10; i++)
		if ((i < 4 || i > 6) && i != 2 && i != 3)
			front[n++] = seat(f, 'A', i);
	f->set.max_holds = 10;
	assert_int_equal(order_create(f->db, &f->a, CLUB_PERF, front, (size_t)n,
	    f->user[1], T0, &f->set, NULL, &o, &why), BO_OK);
	/* Three side by side: not in row A any more, row B's middle. */
	assert_int_equal(order_best(f->db, &f->a, CLUB_PERF, "Floor", 3,
	    f->user[2], T0, &f->set, NULL, &o), BO_OK);
	assert_string_equal(seats_of(f, &o), "B4 B5 B6");
	/* Two fit the gap in front. */
	assert_int_equal(order_best(f->db, &f->a, CLUB_PERF, "Floor", 2,
	    f->user[2], T0, &f->set, NULL, &o), BO_OK);
	assert_string_equal(seats_of(f, &o), "A2 A3");
	/* No row has eleven; no such section; a count of 0. */
	f->set.max_holds = 38;
	assert_int_equal(order_best(f->db, &f->a, CLUB_PERF, "Floor", 11,
	    f->user[2], T0, &f->set, NULL, &o), BO_CONFLICT);
	assert_int_equal(order_best(f->db, &f->a, CLUB_PERF, "Balcony", 1,
	    f->user[2], T0, &f->set, NULL, &o), BO_NOT_FOUND);
	assert_int_equal(order_best(f->db, &f->a, CLUB_PERF, "Floor", 0,
	    f->user[2], T0, &f->set, NULL, &o), BO_INVALID);
}

static void
an_order_is_all_or_none(void **state)
{
	struct fx_sale *f = *state;
	int64_t want[3] = { seat(f, 'C', 1), seat(f, 'C', 2), seat(f, 'C', 3) };
	int64_t five[5] = { seat(f, 'D', 1), seat(f, 'D', 2), seat(f, 'D', 3),
	    seat(f, 'D', 4), seat(f, 'D', 5) };
	int64_t twice[2] = { want[0], want[0] };
	struct order_refusal why;
	struct order_view o;

	assert_int_equal(order_create(f->db, &f->a, CLUB_PERF, &want[1], 1,
	    f->user[1], T0, &f->set, NULL, &o, &why), BO_OK);
	assert_int_equal(order_create(f->db, &f->a, CLUB_PERF, want, 3,
	    f->user[0], T0, &f->set, NULL, &o, &why), BO_CONFLICT);
	assert_int_equal(why.ntaken, 1);
	assert_int_equal(why.taken[0], want[1]);
	assert_int_equal(o.id, 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold WHERE user_id"
	    " = %lld", (long long)f->user[0]), 0);
	assert_int_equal(order_create(f->db, &f->a, CLUB_PERF, five, 5,
	    f->user[0], T0, &f->set, NULL, &o, &why), BO_LIMIT);
	assert_int_equal(order_create(f->db, &f->a, CLUB_PERF, twice, 2,
	    f->user[0], T0, &f->set, NULL, &o, &why), BO_INVALID);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold_order WHERE"
	    " user_id = %lld", (long long)f->user[0]), 0);
	/* The deadline is the order's, and the schema keeps it. */
	assert_int_equal(order_create(f->db, &f->a, CLUB_PERF, five, 4,
	    f->user[0], T0, &f->set, NULL, &o, &why), BO_OK);
	assert_int_equal(fx_try(f->db, "UPDATE hold_order SET expires_at ="
	    " expires_at + 1 WHERE id = %lld", (long long)o.id),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "UPDATE hold SET expires_at = expires_at"
	    " + 1 WHERE order_id = %lld", (long long)o.id),
	    SQLITE_CONSTRAINT_TRIGGER);
	/* Released together; a second release has nothing left. */
	assert_int_equal(order_release(f->db, o.id, f->user[0], T0 + 1), BO_OK);
	assert_int_equal(order_release(f->db, o.id, f->user[0], T0 + 1), BO_GONE);
	assert_int_equal(order_release(f->db, o.id, f->user[1], T0 + 1),
	    BO_FORBIDDEN);
}

static void
an_order_is_paid_once(void **state)
{
	struct fx_sale *f = *state;
	struct payment_view v, again;
	struct order_view o;
	int64_t ids[3], balance = 0;
	int already = 0, replayed = 0;

	assert_int_equal(order_best(f->db, &f->a, CLUB_PERF, "Floor", 3,
	    f->user[0], T0, &f->set, NULL, &o), BO_OK);
	for (int i = 0; i < 3; i++)
		ids[i] = o.holds[i].id;
	assert_int_equal(payment_pay_holds(f->db, &f->a, ids, 3, f->user[0],
	    T0 + 1, NULL, &already, &v), BO_INSUFFICIENT);
	assert_int_equal(wallet_charge(f->db, f->user[0], 200000, f->set.max_charge,
	    NULL, T0 + 2, &balance, &replayed), BO_OK);
	assert_int_equal(payment_pay_holds(f->db, &f->a, ids, 3, f->user[0],
	    T0 + 3, NULL, &already, &v), BO_OK);
	assert_int_equal(already, 0);
	assert_int_equal(v.amount, 3 * PRICE);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ledger WHERE kind ="
	    " 'PAYMENT' AND user_id = %lld", (long long)f->user[0]), 1);
	assert_int_equal(fx_int(f->db, "SELECT amount FROM ledger WHERE kind ="
	    " 'PAYMENT' AND payment_id = %lld", (long long)v.payment_id),
	    -3 * PRICE);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold WHERE"
	    " payment_id = %lld AND state = 'PAID'", (long long)v.payment_id), 3);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ticket t JOIN hold h"
	    " ON h.id = t.hold_id WHERE h.payment_id = %lld",
	    (long long)v.payment_id), 3);
	assert_int_equal(fx_int(f->db, "SELECT balance FROM user WHERE id = %lld",
	    (long long)f->user[0]), 200000 - 3 * PRICE);
	/* Again: the same payment, nothing more taken. */
	assert_int_equal(payment_pay_holds(f->db, &f->a, ids, 3, f->user[0],
	    T0 + 4, NULL, &already, &again), BO_OK);
	assert_int_equal(already, 1);
	assert_int_equal(again.payment_id, v.payment_id);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ledger WHERE kind ="
	    " 'PAYMENT' AND user_id = %lld", (long long)f->user[0]), 1);
	/* A second debit for the payment (the balance would cover it): the
	 * schema refuses it. */
	assert_int_equal(wallet_charge(f->db, f->user[0], 500000, f->set.max_charge,
	    NULL, T0 + 5, &balance, &replayed), BO_OK);
	assert_int_equal(fx_try(f->db, "INSERT INTO ledger(user_id, kind,"
	    " amount, balance_after, payment_id, created_at) VALUES (%lld,"
	    " 'PAYMENT', %lld, %lld, %lld, %lld)", (long long)f->user[0],
	    (long long)(-3 * PRICE), (long long)(balance - 3 * PRICE),
	    (long long)v.payment_id, (long long)T0 + 6),
	    SQLITE_CONSTRAINT_UNIQUE);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fx_sale_teardown)
	const struct CMUnitTest tests[] = {
		T(best_available_is_the_front_row_middle),
		T(an_order_is_all_or_none),
		T(an_order_is_paid_once),
	};
#undef T

	return cmocka_run_group_tests_name("order", tests, fx_group_setup,
	    NULL);
}
