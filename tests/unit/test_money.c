/*
 * test_money.c — seat holds (core/hold.c), the wallet (core/wallet.c) and
 * payment (core/payment.c) against a real SQLite file in a fresh mkdtemp
 * folder, with the demo catalogue loaded.
 *
 * The clock is explicit: every call gets its `now`, starting at T0 and
 * moved by hand. Buyers are inserted with raw SQL (no scrypt) and admitted
 * through the real queue (queue_capacity 100: at once). Settings are loaded
 * once per test and then overridden in the struct.
 *
 * Covers: hold_create's answers (ok, taken, wrong performance, no ticket,
 * sale not open, max_holds); lazy expiry at exactly hold_seconds;
 * hold_release; wallet_charge's range, keys and replays, and a charge
 * past the largest balance; wallet_history;
 * payment_pay (short balance, ok, twice, at and just before the deadline,
 * released, another buyer's) and the queue ticket ending only with the
 * last live hold of the concert; a live hold paid after the turn ended,
 * and leaving the queue releasing the concert's live holds; the schema's
 * own refusals (CHECK, UNIQUE, triggers) through raw SQL; holds_expire_all
 * and seats_mine (the buyer's live holds and paid seats of a date);
 * bookings_list; and money conservation across three buyers.
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

#include "arena.h"
#include "db.h"
#include "demo.h"
#include "hold.h"
#include "payment.h"
#include "queue.h"
#include "setting.h"
#include "wallet.h"

#include "fixture.h"

/* 2033-05-18 03:33:20 UTC: every test's base time. Demo sales are open. */
#define T0 FX_T0
#define HALL_CONCERT INT64_C(1)  /* Winter Symphony Gala: performances 1, 2 */
#define CLUB_CONCERT INT64_C(2)  /* Midnight Jazz Session: performances 3, 4 */
#define PERF INT64_C(1)          /* the 1,000-seat hall */
#define PERF2 INT64_C(2)         /* the hall's second date */
#define CLUB_PERF INT64_C(3)
#define NOT_YET_PERF INT64_C(7)  /* sale opens in a week */
#define HOLD_S INT64_C(300)
#define MAX_CHARGE INT64_C(1000000)
#define MAX_USERS 8

/* The fixture is fx_sale (fixture.h): the demo, MAX_USERS buyers, the
 * settings of known values (HOLD_S, MAX_CHARGE) and f->seat, the first
 * seats of PERF; a test's steps are fx_admit, fx_hold, fx_charge, fx_pay. */
static int
setup(void **state)
{
	return (*state = fx_sale_new("money", MAX_USERS)) != NULL ? 0 : -1;
}

/* The id of PERF2's seat i (from 0), by id. */
#define SEAT2(f, i) fx_seat(f, PERF2, i)

/* ---- helpers ---- */

static int64_t
ledger_rows(struct fx_sale *f, int buyer)
{
	return fx_int(f->db, "SELECT count(*) FROM ledger WHERE user_id = %lld",
	    (long long)f->user[buyer]);
}

static int64_t
payment_rows(struct fx_sale *f)
{
	return fx_int(f->db, "SELECT count(*) FROM payment");
}

static int64_t
seat_price(struct fx_sale *f, int64_t seat)
{
	return fx_int(f->db,
	    "SELECT price FROM seat WHERE id = %lld", (long long)seat);
}

static void
assert_hold_stored(struct fx_sale *f, int64_t hold_id, const char *state)
{
	char buf[16];

	fx_text(f->db, buf, sizeof buf,
	    "SELECT state FROM hold WHERE id = %lld",
	    (long long)hold_id);
	assert_string_equal(buf, state);
}

static void
assert_ticket_stored(struct fx_sale *f, int64_t ticket_id, const char *state)
{
	char buf[16];

	fx_text(f->db, buf, sizeof buf,
	    "SELECT state FROM queue_ticket WHERE id = %lld",
	    (long long)ticket_id);
	assert_string_equal(buf, state);
}

static int64_t
live_rows_of_seat(struct fx_sale *f, int64_t seat)
{
	return fx_int(f->db, "SELECT count(*) FROM hold WHERE seat_id = %lld"
	    " AND state IN ('HELD','PAID')", (long long)seat);
}

static enum hold_state
view_state(struct fx_sale *f, int buyer, int64_t hold_id, int64_t now)
{
	struct arena a = ARENA_INIT;
	struct hold_view h;

	assert_int_equal(hold_get(f->db, &a, hold_id, f->user[buyer], now, &h),
	    BO_OK);
	arena_free(&a);
	return h.state;
}

/* Everything a failed money operation must leave alone, in one string. */
static void
money_snapshot(struct fx_sale *f, char *buf, size_t len)
{
	fx_text(f->db, buf, len, "SELECT"
	    " (SELECT group_concat(id || ':' || balance, ',') FROM"
	    "   (SELECT id, balance FROM user ORDER BY id)) || '|' ||"
	    " (SELECT count(*) || '/' || coalesce(max(id), 0) FROM ledger) || '|' ||"
	    " (SELECT count(*) || '/' || coalesce(max(id), 0) FROM payment) || '|' ||"
	    " (SELECT group_concat(id || ':' || state, ',') FROM"
	    "   (SELECT id, state FROM hold ORDER BY id)) || '|' ||"
	    " (SELECT group_concat(id || ':' || state, ',') FROM"
	    "   (SELECT id, state FROM queue_ticket ORDER BY id))");
}

/* ---- 1. hold_create ---- */

static void
hold_create_answers(void **state)
{
	struct fx_sale *f = *state;
	int64_t h, h2, h3, other = 0, perf7_seat, perf7_concert;
	int64_t club_seat;

	fx_admit(f, 0, HALL_CONCERT, T0);
	fx_admit(f, 1, HALL_CONCERT, T0);

	/* OK: one HELD row with the deadline and the seat's price. */
	h = fx_hold(f, 0, PERF, f->seat[0], T0);
	assert_hold_stored(f, h, "HELD");
	assert_int_equal(fx_int(f->db,
	    "SELECT expires_at FROM hold WHERE id = %lld",
	    (long long)h), T0 + HOLD_S);
	assert_int_equal(fx_int(f->db,
	    "SELECT created_at FROM hold WHERE id = %lld",
	    (long long)h), T0);
	assert_int_equal(fx_int(f->db, "SELECT price FROM hold WHERE id = %lld",
	    (long long)h), seat_price(f, f->seat[0]));
	assert_true(seat_price(f, f->seat[0]) > 0);
	assert_int_equal(fx_int(f->db,
	    "SELECT user_id FROM hold WHERE id = %lld",
	    (long long)h), f->user[0]);
	assert_int_equal(fx_int(f->db,
	    "SELECT seat_id FROM hold WHERE id = %lld",
	    (long long)h), f->seat[0]);
	assert_int_equal(fx_int(f->db,
	    "SELECT performance_id FROM hold WHERE id = %lld",
	    (long long)h), PERF);

	/* The same seat by another buyer: taken, still one live row. */
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[1], T0 + 1,
	    &f->set, NULL, &other), BO_CONFLICT);
	assert_int_equal(live_rows_of_seat(f, f->seat[0]), 1);
	assert_int_equal(fx_int(f->db,
	    "SELECT count(*) FROM hold WHERE seat_id = %lld",
	    (long long)f->seat[0]), 1);
	/* ... and by the same buyer again: taken too. */
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[0], T0 + 1,
	    &f->set, NULL, &other), BO_CONFLICT);
	assert_int_equal(live_rows_of_seat(f, f->seat[0]), 1);

	/* A seat of another performance, or none at all. */
	assert_int_equal(hold_create(f->db, PERF, SEAT2(f, 0), f->user[1], T0 + 1,
	    &f->set, NULL, &other), BO_NOT_FOUND);
	club_seat = fx_int(f->db,
	    "SELECT min(id) FROM seat WHERE performance_id = %lld",
	    (long long)CLUB_PERF);
	assert_int_equal(hold_create(f->db, PERF, club_seat, f->user[1], T0 + 1,
	    &f->set, NULL, &other), BO_NOT_FOUND);
	assert_int_equal(hold_create(f->db, PERF, INT64_C(99999999), f->user[1],
	    T0 + 1, &f->set, NULL, &other), BO_NOT_FOUND);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold"), 1);

	/* No ACTIVE ticket for the concert. */
	assert_int_equal(hold_create(f->db, PERF, f->seat[1], f->user[2], T0 + 1,
	    &f->set, NULL, &other), BO_FORBIDDEN);
	/* A ticket for another concert is no ticket for this one. */
	fx_admit(f, 3, CLUB_CONCERT, T0);
	assert_int_equal(hold_create(f->db, PERF, f->seat[1], f->user[3], T0 + 1,
	    &f->set, NULL, &other), BO_FORBIDDEN);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold"), 1);

	/* The sale of performance 7 opens in a week; the buyer has a ticket. */
	perf7_concert = fx_int(f->db,
	    "SELECT concert_id FROM performance WHERE id = %lld",
	    (long long)NOT_YET_PERF);
	assert_true(fx_int(f->db,
	    "SELECT sale_opens_at FROM performance WHERE id = %lld",
	    (long long)NOT_YET_PERF) > T0 + 1);
	perf7_seat = fx_int(f->db,
	    "SELECT min(id) FROM seat WHERE performance_id = %lld",
	    (long long)NOT_YET_PERF);
	fx_admit(f, 0, perf7_concert, T0);
	assert_int_equal(hold_create(f->db, NOT_YET_PERF, perf7_seat, f->user[0],
	    T0 + 1, &f->set, NULL, &other), BO_GONE);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold"), 1);

	/* max_holds 2: the third live hold is refused... */
	f->set.max_holds = 2;
	h2 = fx_hold(f, 0, PERF, f->seat[1], T0 + 100);
	assert_int_equal(hold_create(f->db, PERF, f->seat[2], f->user[0], T0 + 100,
	    &f->set, NULL, &other), BO_LIMIT);
	assert_int_equal(hold_create(f->db, PERF, f->seat[2], f->user[0],
	    T0 + HOLD_S - 1, &f->set, NULL, &other), BO_LIMIT);
	assert_int_equal(live_rows_of_seat(f, f->seat[2]), 0);
	/* ... other buyers and other dates have their own count ... */
	fx_hold(f, 1, PERF, f->seat[3], T0 + 100);
	fx_hold(f, 0, PERF2, SEAT2(f, 0), T0 + 100);
	/* ... and once the first lapses (now = its expires_at), allowed. */
	h3 = fx_hold(f, 0, PERF, f->seat[2], T0 + HOLD_S);
	assert_true(h3 != h && h3 != h2);
	assert_int_equal(hold_create(f->db, PERF, f->seat[4], f->user[0],
	    T0 + HOLD_S, &f->set, NULL, &other), BO_LIMIT);
}

/* ---- 2. lazy expiry at exactly hold_seconds ---- */

static void
lazy_expiry_edges(void **state)
{
	struct fx_sale *f = *state;
	int64_t h, h1, other = 0;

	fx_admit(f, 0, HALL_CONCERT, T0);
	fx_admit(f, 1, HALL_CONCERT, T0);
	h = fx_hold(f, 0, PERF, f->seat[0], T0);

	/* One second before the deadline the seat is still taken. */
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[1],
	    T0 + HOLD_S - 1, &f->set, NULL, &other), BO_CONFLICT);
	assert_int_equal(view_state(f, 0, h, T0 + HOLD_S - 1), HOLD_HELD);
	assert_hold_stored(f, h, "HELD");

	/* At the deadline it is expired, even before anything writes it. */
	assert_int_equal(view_state(f, 0, h, T0 + HOLD_S), HOLD_EXPIRED);
	assert_hold_stored(f, h, "HELD");

	/* ... and free: another buyer takes it; the old row is written down. */
	h1 = fx_hold(f, 1, PERF, f->seat[0], T0 + HOLD_S);
	assert_true(h1 != h);
	assert_hold_stored(f, h, "EXPIRED");
	assert_hold_stored(f, h1, "HELD");
	assert_int_equal(view_state(f, 0, h, T0 + HOLD_S), HOLD_EXPIRED);
	assert_int_equal(view_state(f, 1, h1, T0 + HOLD_S), HOLD_HELD);
	assert_int_equal(live_rows_of_seat(f, f->seat[0]), 1);
	assert_int_equal(fx_int(f->db,
	    "SELECT expires_at FROM hold WHERE id = %lld",
	    (long long)h1), T0 + 2 * HOLD_S);
}

/* ---- 3. hold_release ---- */

static void
hold_release_cases(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct hold_view v;
	int64_t h, h1, h2;

	fx_admit(f, 0, HALL_CONCERT, T0);
	fx_admit(f, 1, HALL_CONCERT, T0);
	h = fx_hold(f, 0, PERF, f->seat[0], T0);

	/* Released: the seat is free at the same second. */
	assert_int_equal(hold_release(f->db, h, f->user[0], T0 + 10), BO_OK);
	assert_hold_stored(f, h, "RELEASED");
	assert_int_equal(view_state(f, 0, h, T0 + 10), HOLD_RELEASED);
	h1 = fx_hold(f, 1, PERF, f->seat[0], T0 + 10);
	assert_hold_stored(f, h1, "HELD");

	/* Twice: gone. */
	assert_int_equal(hold_release(f->db, h, f->user[0], T0 + 11), BO_GONE);
	assert_hold_stored(f, h, "RELEASED");

	/* Another buyer's: forbidden, and it stays held. */
	assert_int_equal(hold_release(f->db, h1, f->user[0], T0 + 12),
	    BO_FORBIDDEN);
	assert_hold_stored(f, h1, "HELD");
	assert_int_equal(hold_get(f->db, &a, h1, f->user[0], T0 + 12, &v),
	    BO_FORBIDDEN);

	/* Unknown. */
	assert_int_equal(hold_release(f->db, INT64_C(987654), f->user[0], T0 + 12),
	    BO_NOT_FOUND);
	assert_int_equal(hold_get(f->db, &a, INT64_C(987654), f->user[0], T0 + 12,
	    &v), BO_NOT_FOUND);

	/* A lapsed hold cannot be released: it is already gone. */
	h2 = fx_hold(f, 0, PERF, f->seat[1], T0 + 20);
	assert_int_equal(hold_release(f->db, h2, f->user[0], T0 + 20 + HOLD_S),
	    BO_GONE);
	assert_int_equal(view_state(f, 0, h2, T0 + 20 + HOLD_S), HOLD_EXPIRED);
	arena_free(&a);
}

/* ---- 4. wallet_charge and wallet_history ---- */

/* A charge the balance cannot take (it would pass INT64_MAX) is BO_LIMIT,
 * not BO_INVALID: the amount and the key are fine, and a page that reads
 * BO_INVALID as "bad key" would say the wrong thing. Nothing changes. */
static void
wallet_charge_past_the_largest_balance(void **state)
{
	struct fx_sale *f = *state;
	char before[512], after[512];
	int64_t near = INT64_MAX - 10, b = -1;
	int replayed = -1;

	/* Only a seeded ledger gets there: max_charge is at most 10^12. */
	fx_exec(f->db, "INSERT INTO ledger(user_id, kind, amount, balance_after,"
	    " created_at) VALUES (%lld, 'CHARGE', %lld, %lld, %lld)",
	    (long long)f->user[0], (long long)near, (long long)near,
	    (long long)T0);
	money_snapshot(f, before, sizeof before);
	assert_int_equal(wallet_charge(f->db, f->user[0], 11, MAX_CHARGE, "k-1",
	    T0 + 1, &b, &replayed), BO_LIMIT);
	assert_int_equal(wallet_charge(f->db, f->user[0], MAX_CHARGE, MAX_CHARGE,
	    NULL, T0 + 1, &b, &replayed), BO_LIMIT);
	assert_int_equal(replayed, 0);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	/* Up to the largest balance exactly is fine. */
	assert_int_equal(fx_charge(f, 0, 10, "k-2", T0 + 2), INT64_MAX);
	assert_int_equal(fx_balance(f, 0), INT64_MAX);
}

static void
wallet_charge_cases(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct ledger_row *rows;
	struct keyset all = keyset_first(KEYSET_MAX);
	char before[512], after[512], key65[66], key64[65];
	int64_t b, b2, sum, expect;
	int replayed;
	size_t n;

	b = fx_charge(f, 0, 1, NULL, T0);
	assert_int_equal(b, 1);
	b = fx_charge(f, 0, MAX_CHARGE, NULL, T0 + 1);
	assert_int_equal(b, 1 + MAX_CHARGE);
	assert_int_equal(fx_balance(f, 0), 1 + MAX_CHARGE);

	/* Out of range: refused, nothing changes. */
	money_snapshot(f, before, sizeof before);
	{
		static const int64_t bad[] = { 0, -1, MAX_CHARGE + 1, INT64_MIN,
		    INT64_MAX };

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			replayed = -1;
			assert_int_equal(wallet_charge(f->db, f->user[0], bad[i],
			    MAX_CHARGE, NULL, T0 + 2, &b2, &replayed), BO_INVALID);
			assert_int_equal(replayed, 0);
			assert_int_equal(wallet_charge(f->db, f->user[0], bad[i],
			    MAX_CHARGE, "k-bad", T0 + 2, &b2, &replayed), BO_INVALID);
		}
	}
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);

	/* A key: once. The replay answers as the first. */
	b = fx_charge(f, 0, 500, "order-1", T0 + 3);
	assert_int_equal(b, 1 + MAX_CHARGE + 500);
	money_snapshot(f, before, sizeof before);
	replayed = 0;
	b2 = -1;
	assert_int_equal(wallet_charge(f->db, f->user[0], 500, MAX_CHARGE,
	    "order-1", T0 + 4, &b2, &replayed), BO_OK);
	assert_int_equal(replayed, 1);
	assert_int_equal(b2, b);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(fx_int(f->db,
	    "SELECT count(*) FROM ledger WHERE user_id = %lld"
	    " AND idem_key = 'order-1'", (long long)f->user[0]), 1);

	/* The same key with another amount: conflict, nothing changes. */
	assert_int_equal(wallet_charge(f->db, f->user[0], 600, MAX_CHARGE,
	    "order-1", T0 + 5, &b2, &replayed), BO_KEY_REUSED);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);

	/* Keys: 64 printable characters at most, no space, not empty. */
	memset(key65, 'k', 65);
	key65[65] = '\0';
	memset(key64, 'k', 64);
	key64[64] = '\0';
	assert_int_equal(wallet_charge(f->db, f->user[0], 10, MAX_CHARGE, key65,
	    T0 + 6, &b2, &replayed), BO_INVALID);
	assert_int_equal(wallet_charge(f->db, f->user[0], 10, MAX_CHARGE,
	    "has space", T0 + 6, &b2, &replayed), BO_INVALID);
	assert_int_equal(wallet_charge(f->db, f->user[0], 10, MAX_CHARGE, "",
	    T0 + 6, &b2, &replayed), BO_INVALID);
	assert_int_equal(wallet_charge(f->db, f->user[0], 10, MAX_CHARGE,
	    "tab\there", T0 + 6, &b2, &replayed), BO_INVALID);
	assert_int_equal(wallet_charge(f->db, f->user[0], 10, MAX_CHARGE,
	    "caf\xc3\xa9", T0 + 6, &b2, &replayed), BO_INVALID);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	b = fx_charge(f, 0, 10, key64, T0 + 7);
	assert_int_equal(b, 1 + MAX_CHARGE + 510);

	/* NULL key: every call is a new charge. */
	b = fx_charge(f, 0, 7, NULL, T0 + 8);
	b = fx_charge(f, 0, 7, NULL, T0 + 9);
	assert_int_equal(b, 1 + MAX_CHARGE + 524);

	/* Keys belong to a buyer: another may use the same one. */
	assert_int_equal(fx_charge(f, 1, 500, "order-1", T0 + 10), 500);
	assert_int_equal(fx_balance(f, 0), 1 + MAX_CHARGE + 524);

	/* History: newest first, a chain of balances summing to the balance. */
	assert_int_equal(wallet_history(f->db, &a, f->user[0], &all, &b2, &rows, &n),
	    BO_OK);
	expect = 1 + MAX_CHARGE + 524;
	assert_int_equal(b2, expect);
	assert_int_equal(n, 6);
	assert_int_equal(n, ledger_rows(f, 0));
	sum = 0;
	for (size_t i = 0; i < n; i++) {
		sum += rows[i].amount;
		assert_int_equal(rows[i].kind, LEDGER_CHARGE);
		assert_int_equal(rows[i].hold_id, 0);
		assert_true(rows[i].amount > 0);
		if (i + 1 < n) {
			assert_true(rows[i].id > rows[i + 1].id);
			assert_true(rows[i].created_at >= rows[i + 1].created_at);
			assert_int_equal(rows[i].balance_after - rows[i].amount,
			    rows[i + 1].balance_after);
		}
	}
	assert_int_equal(sum, b2);
	assert_int_equal(rows[0].balance_after, b2);
	assert_int_equal(rows[0].created_at, T0 + 9);
	assert_int_equal(rows[n - 1].amount, 1);
	assert_int_equal(rows[n - 1].balance_after, 1);
	assert_int_equal(rows[n - 1].created_at, T0);
	assert_int_equal(all.next, 0); /* everything on one page */

	/* By pages of 4: the same rows in the same order, each once, and
	 * the last page says there is no older one. */
	{
		struct keyset k = keyset_first(4);
		struct ledger_row *page;
		int64_t first_id = rows[0].id;
		size_t got = 0, m;

		assert_int_equal(wallet_history(f->db, &a, f->user[0], &k, &b2,
		    &page, &m), BO_OK);
		assert_int_equal(m, 4);
		assert_int_equal(page[0].id, first_id);
		assert_int_equal(k.next, page[3].id);
		got += m;
		k.before = k.next;
		assert_int_equal(wallet_history(f->db, &a, f->user[0], &k, &b2,
		    &page, &m), BO_OK);
		assert_int_equal(m, 2);
		assert_true(page[0].id < first_id && page[0].id < k.before);
		assert_int_equal(page[1].balance_after, 1);
		assert_int_equal(k.next, 0);
		got += m;
		assert_int_equal(got, n);
		/* A page of exactly what is left has no older one either. */
		k = keyset_first(6);
		assert_int_equal(wallet_history(f->db, &a, f->user[0], &k, &b2,
		    &page, &m), BO_OK);
		assert_int_equal(m, 6);
		assert_int_equal(k.next, 0);
	}

	/* A buyer with no ledger. */
	assert_int_equal(wallet_history(f->db, &a, f->user[2], &all, &b2, &rows, &n),
	    BO_OK);
	assert_int_equal(b2, 0);
	assert_int_equal(n, 0);
	arena_free(&a);
}

/* ---- 5. payment_pay ---- */

static void
payment_pay_cases(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct hold_view v;
	char before[1024], after[1024];
	int64_t t0, t1, t2, h, h1, h2, h3, h4, price, pid, pid2, bal;
	int already;

	t0 = fx_admit(f, 0, HALL_CONCERT, T0);
	h = fx_hold(f, 0, PERF, f->seat[0], T0);
	price = seat_price(f, f->seat[0]);

	/* Short by one: refused, nothing changes, the hold is kept. */
	fx_charge(f, 0, price - 1, NULL, T0 + 1);
	money_snapshot(f, before, sizeof before);
	already = -1;
	assert_int_equal(payment_pay(f->db, h, f->user[0], T0 + 10, NULL, &pid,
	    &already), BO_INSUFFICIENT);
	assert_int_equal(already, 0);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(fx_balance(f, 0), price - 1);
	assert_hold_stored(f, h, "HELD");
	assert_int_equal(payment_rows(f), 0);
	assert_int_equal(ledger_rows(f, 0), 1);
	assert_ticket_stored(f, t0, "ACTIVE");

	/* Enough: paid. */
	fx_charge(f, 0, 50000, NULL, T0 + 11);
	bal = price - 1 + 50000;
	pid = fx_pay(f, 0, h, T0 + 12);
	assert_int_equal(fx_balance(f, 0), bal - price);
	assert_int_equal(payment_rows(f), 1);
	assert_int_equal(fx_int(f->db,
	    "SELECT hold_id FROM payment WHERE id = %lld",
	    (long long)pid), h);
	assert_int_equal(fx_int(f->db,
	    "SELECT user_id FROM payment WHERE id = %lld",
	    (long long)pid), f->user[0]);
	assert_int_equal(fx_int(f->db,
	    "SELECT amount FROM payment WHERE id = %lld",
	    (long long)pid), price);
	assert_int_equal(fx_int(f->db,
	    "SELECT created_at FROM payment WHERE id = %lld",
	    (long long)pid), T0 + 12);
	assert_int_equal(ledger_rows(f, 0), 3);
	assert_int_equal(fx_int(f->db,
	    "SELECT count(*) FROM ledger WHERE kind = 'PAYMENT'"), 1);
	assert_int_equal(fx_int(f->db,
	    "SELECT amount FROM ledger WHERE kind = 'PAYMENT'"),
	    -price);
	assert_int_equal(fx_int(f->db,
	    "SELECT balance_after FROM ledger WHERE kind ="
	    " 'PAYMENT'"), bal - price);
	assert_int_equal(fx_int(f->db, "SELECT payment_id FROM ledger WHERE kind ="
	    " 'PAYMENT'"), pid);
	assert_int_equal(fx_int(f->db, "SELECT payment_id FROM hold WHERE id ="
	    " %lld", (long long)h), pid);
	assert_int_equal(fx_int(f->db, "SELECT user_id FROM ledger WHERE kind ="
	    " 'PAYMENT'"), f->user[0]);
	assert_int_equal(fx_int(f->db,
	    "SELECT created_at FROM ledger WHERE kind = 'PAYMENT'"), T0 + 12);
	assert_hold_stored(f, h, "PAID");
	assert_int_equal(hold_get(f->db, &a, h, f->user[0], T0 + 12, &v), BO_OK);
	assert_int_equal(v.state, HOLD_PAID);
	assert_int_equal(v.payment_id, pid);
	assert_int_equal(v.paid_at, T0 + 12);
	assert_int_equal(v.price, price);
	assert_ticket_stored(f, t0, "DONE");
	assert_int_equal(fx_int(f->db,
	    "SELECT ended_at FROM queue_ticket WHERE id = %lld",
	    (long long)t0), T0 + 12);
	/* Paid is forever: still PAID long after the hold's deadline. */
	assert_int_equal(view_state(f, 0, h, T0 + 10 * HOLD_S), HOLD_PAID);

	/* Again, even after the deadline: the same payment, nothing changes. */
	money_snapshot(f, before, sizeof before);
	already = 0;
	assert_int_equal(payment_pay(f->db, h, f->user[0], T0 + 13, NULL, &pid2,
	    &already), BO_OK);
	assert_int_equal(already, 1);
	assert_int_equal(pid2, pid);
	already = 0;
	assert_int_equal(payment_pay(f->db, h, f->user[0], T0 + 2 * HOLD_S, NULL,
	    &pid2, &already), BO_OK);
	assert_int_equal(already, 1);
	assert_int_equal(pid2, pid);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);

	/* At exactly expires_at: gone, nothing changes. */
	t1 = fx_admit(f, 1, HALL_CONCERT, T0);
	fx_charge(f, 1, 500000, NULL, T0);
	h1 = fx_hold(f, 1, PERF, f->seat[1], T0);
	money_snapshot(f, before, sizeof before);
	assert_int_equal(payment_pay(f->db, h1, f->user[1], T0 + HOLD_S, NULL,
	    &pid2, &already), BO_GONE);
	assert_int_equal(already, 0);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(fx_balance(f, 1), 500000);
	assert_ticket_stored(f, t1, "ACTIVE");
	assert_int_equal(live_rows_of_seat(f, f->seat[1]), 1); /* lapsed, unwritten */
	assert_int_equal(view_state(f, 1, h1, T0 + HOLD_S), HOLD_EXPIRED);

	/* One second before: paid. */
	t2 = fx_admit(f, 2, HALL_CONCERT, T0);
	fx_charge(f, 2, 500000, NULL, T0);
	h2 = fx_hold(f, 2, PERF, f->seat[2], T0);
	fx_pay(f, 2, h2, T0 + HOLD_S - 1);
	assert_hold_stored(f, h2, "PAID");
	assert_int_equal(fx_balance(f, 2), 500000 - seat_price(f, f->seat[2]));
	assert_ticket_stored(f, t2, "DONE");

	/* A released hold: gone, nothing changes. */
	fx_admit(f, 3, HALL_CONCERT, T0);
	fx_charge(f, 3, 500000, NULL, T0);
	h3 = fx_hold(f, 3, PERF, f->seat[3], T0);
	assert_int_equal(hold_release(f->db, h3, f->user[3], T0 + 5), BO_OK);
	money_snapshot(f, before, sizeof before);
	assert_int_equal(payment_pay(f->db, h3, f->user[3], T0 + 6, NULL, &pid2,
	    &already), BO_GONE);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	assert_hold_stored(f, h3, "RELEASED");

	/* Another buyer's: forbidden, nothing changes. */
	fx_admit(f, 4, HALL_CONCERT, T0);
	h4 = fx_hold(f, 4, PERF, f->seat[4], T0);
	money_snapshot(f, before, sizeof before);
	assert_int_equal(payment_pay(f->db, h4, f->user[3], T0 + 6, NULL, &pid2,
	    &already), BO_FORBIDDEN);
	assert_int_equal(payment_pay(f->db, h, f->user[3], T0 + 6, NULL, &pid2,
	    &already), BO_FORBIDDEN);
	/* Unknown. */
	assert_int_equal(payment_pay(f->db, INT64_C(987654), f->user[3], T0 + 6,
	    NULL, &pid2, &already), BO_NOT_FOUND);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	assert_hold_stored(f, h4, "HELD");
	arena_free(&a);
}

/* ---- 6. the queue ticket ends with the last live hold of the concert ---- */

static void
ticket_done_after_last_hold(void **state)
{
	struct fx_sale *f = *state;
	int64_t t0, t1, t2c1, t2c2, a, b, c, d, e, club_seat;

	/* Two seats of the concert, on its two dates. */
	t0 = fx_admit(f, 0, HALL_CONCERT, T0);
	fx_charge(f, 0, MAX_CHARGE, NULL, T0);
	a = fx_hold(f, 0, PERF, f->seat[0], T0);
	b = fx_hold(f, 0, PERF2, SEAT2(f, 0), T0 + 1);
	fx_pay(f, 0, a, T0 + 10);
	assert_ticket_stored(f, t0, "ACTIVE");
	fx_pay(f, 0, b, T0 + 11);
	assert_ticket_stored(f, t0, "DONE");

	/* Two seats of one date. */
	t1 = fx_admit(f, 1, HALL_CONCERT, T0);
	fx_charge(f, 1, MAX_CHARGE, NULL, T0);
	a = fx_hold(f, 1, PERF, f->seat[1], T0);
	b = fx_hold(f, 1, PERF, f->seat[2], T0);
	fx_pay(f, 1, b, T0 + 10);
	assert_ticket_stored(f, t1, "ACTIVE");
	fx_pay(f, 1, a, T0 + 11);
	assert_ticket_stored(f, t1, "DONE");

	/* A lapsed hold keeps nothing open; a hold of another concert
	 * neither. */
	t2c1 = fx_admit(f, 2, HALL_CONCERT, T0);
	t2c2 = fx_admit(f, 2, CLUB_CONCERT, T0);
	fx_charge(f, 2, MAX_CHARGE, NULL, T0);
	c = fx_hold(f, 2, PERF, f->seat[3], T0);             /* lapses at T0+300 */
	d = fx_hold(f, 2, PERF, f->seat[4], T0 + 200);       /* until T0+500 */
	club_seat = fx_int(f->db,
	    "SELECT min(id) FROM seat WHERE performance_id = %lld",
	    (long long)CLUB_PERF);
	e = fx_hold(f, 2, CLUB_PERF, club_seat, T0 + 200);
	fx_pay(f, 2, d, T0 + HOLD_S);
	assert_int_equal(view_state(f, 2, c, T0 + HOLD_S), HOLD_EXPIRED);
	assert_ticket_stored(f, t2c1, "DONE");
	assert_ticket_stored(f, t2c2, "ACTIVE");
	fx_pay(f, 2, e, T0 + HOLD_S + 1);
	assert_ticket_stored(f, t2c2, "DONE");
}

/* ---- 6b. the turn and the holds: pay after it ends; leave releases ---- */

static void
turn_ends_hold_stays_leave_releases(void **state)
{
	struct fx_sale *f = *state;
	char before[1024], after[1024];
	int64_t t0, a, b, c, pid, club_seat;
	int already;

	/* The turn lapses (active_ttl) while the hold is live: paid. */
	f->set.active_ttl = 60;
	t0 = fx_admit(f, 0, HALL_CONCERT, T0);
	fx_charge(f, 0, MAX_CHARGE, NULL, T0);
	a = fx_hold(f, 0, PERF, f->seat[0], T0 + 50);          /* until T0+350 */
	assert_int_equal(hold_create(f->db, PERF, f->seat[1], f->user[0],
	    T0 + 60, &f->set, NULL, &b), BO_FORBIDDEN);      /* turn over */
	fx_pay(f, 0, a, T0 + 349);
	assert_hold_stored(f, a, "PAID");
	assert_ticket_stored(f, t0, "ACTIVE"); /* lapsed: DONE needs a live turn */

	/* Leaving releases every live hold of the concert, and only those,
	 * in the leave's transaction; paid seats stay sold. */
	f->set.active_ttl = 3600;
	t0 = fx_admit(f, 1, HALL_CONCERT, T0);
	fx_admit(f, 1, CLUB_CONCERT, T0);
	fx_charge(f, 1, MAX_CHARGE, NULL, T0);
	a = fx_hold(f, 1, PERF, f->seat[2], T0);
	b = fx_hold(f, 1, PERF2, SEAT2(f, 0), T0 + 1);
	c = fx_hold(f, 1, PERF, f->seat[3], T0 + 2);
	fx_pay(f, 1, c, T0 + 3);
	club_seat = fx_int(f->db, "SELECT min(id) FROM seat WHERE"
	    " performance_id = %lld", (long long)CLUB_PERF);
	fx_hold(f, 1, CLUB_PERF, club_seat, T0 + 4);
	assert_int_equal(queue_leave(f->db, HALL_CONCERT, f->user[1], T0 + 5,
	    &f->set),
	    BO_OK);
	assert_ticket_stored(f, t0, "EXPIRED");
	assert_hold_stored(f, a, "RELEASED");
	assert_hold_stored(f, b, "RELEASED");
	assert_hold_stored(f, c, "PAID");
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold WHERE"
	    " seat_id = %lld AND state = 'HELD'", (long long)club_seat), 1);
	money_snapshot(f, before, sizeof before);
	assert_int_equal(payment_pay(f->db, a, f->user[1], T0 + 6, NULL, &pid,
	    &already), BO_GONE);
	money_snapshot(f, after, sizeof after);
	assert_string_equal(before, after);
	/* The seats are free for the next buyer at once. */
	fx_admit(f, 2, HALL_CONCERT, T0 + 6);
	fx_hold(f, 2, PERF, f->seat[2], T0 + 6);
	fx_hold(f, 2, PERF2, SEAT2(f, 0), T0 + 6);
}

/* ---- 7. the schema refuses what the code must never do ---- */

static void
schema_invariants(void **state)
{
	struct fx_sale *f = *state;
	int64_t h, h2, u = f->user[0], b0;

	b0 = fx_charge(f, 0, 1000, NULL, T0);

	/* The balance moves only with a ledger row: any direct change, up
	 * or down, is refused by a trigger. */
	assert_int_equal(fx_try(f->db,
	    "UPDATE user SET balance = -1 WHERE id = %lld",
	    (long long)u), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "UPDATE user SET balance = balance + 5"
	    " WHERE id = %lld", (long long)u), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_balance(f, 0), 1000);

	/* A ledger row that does not follow the previous one: the trigger.
	 * Below zero: the CHECK. Rewriting history: append-only. */
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, created_at) VALUES (%lld, 'CHARGE', 5, 1006, %lld)",
	    (long long)u, (long long)T0), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, created_at) VALUES (%lld, 'CHARGE', 5, 999, %lld)",
	    (long long)u, (long long)T0), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db,
	    "UPDATE ledger SET amount = 2000 WHERE user_id"
	    " = %lld", (long long)u), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db,
	    "DELETE FROM ledger WHERE user_id = %lld",
	    (long long)u), SQLITE_CONSTRAINT_TRIGGER);
	/* A well-formed row is the only way, and it moves the balance. */
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, created_at) VALUES (%lld, 'CHARGE', 5, 1005, %lld)",
	    (long long)u, (long long)T0), SQLITE_OK);
	assert_int_equal(fx_balance(f, 0), 1005);
	assert_int_equal(ledger_rows(f, 0), 2);
	(void)b0;

	/* A second live hold of a seat: the partial UNIQUE index. */
	fx_admit(f, 0, HALL_CONCERT, T0);
	h = fx_hold(f, 0, PERF, f->seat[0], T0);
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO hold(seat_id, performance_id,"
	    " user_id, state, price, created_at, expires_at) VALUES (%lld, %lld,"
	    " %lld, 'HELD', 1, %lld, %lld)", (long long)f->seat[0],
	    (long long)PERF, (long long)f->user[1], (long long)T0,
	    (long long)(T0 + HOLD_S)), SQLITE_CONSTRAINT_UNIQUE);
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO hold(seat_id, performance_id,"
	    " user_id, state, price, created_at, expires_at) VALUES (%lld, %lld,"
	    " %lld, 'PAID', 1, %lld, %lld)", (long long)f->seat[0],
	    (long long)PERF, (long long)f->user[1], (long long)T0,
	    (long long)(T0 + HOLD_S)), SQLITE_CONSTRAINT_UNIQUE);
	/* Dead rows are outside the index. */
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO hold(seat_id, performance_id,"
	    " user_id, state, price, created_at, expires_at) VALUES (%lld, %lld,"
	    " %lld, 'RELEASED', 1, %lld, %lld)", (long long)f->seat[0],
	    (long long)PERF, (long long)f->user[1], (long long)T0,
	    (long long)(T0 + HOLD_S)), SQLITE_OK);
	/* Turning a dead row live again is refused too. */
	h2 = sqlite3_last_insert_rowid(f->db->handle);
	assert_int_equal(fx_try(f->db,
	    "UPDATE hold SET state = 'HELD' WHERE id = %lld",
	    (long long)h2), SQLITE_CONSTRAINT_UNIQUE);
	/* Once paid, the seat still refuses a second live row. */
	assert_int_equal(b0, 1000);
	fx_charge(f, 0, MAX_CHARGE, NULL, T0 + 1);
	fx_pay(f, 0, h, T0 + 1);
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO hold(seat_id, performance_id,"
	    " user_id, state, price, created_at, expires_at) VALUES (%lld, %lld,"
	    " %lld, 'HELD', 1, %lld, %lld)", (long long)f->seat[0],
	    (long long)PERF, (long long)f->user[1], (long long)(T0 + 2),
	    (long long)(T0 + 2 + HOLD_S)), SQLITE_CONSTRAINT_UNIQUE);
	assert_int_equal(live_rows_of_seat(f, f->seat[0]), 1);

	/* A hold whose performance is not its seat's: the trigger. */
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO hold(seat_id, performance_id,"
	    " user_id, state, price, created_at, expires_at) VALUES (%lld, %lld,"
	    " %lld, 'HELD', 1, %lld, %lld)", (long long)f->seat[1],
	    (long long)PERF2, (long long)f->user[1], (long long)T0,
	    (long long)(T0 + HOLD_S)), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(live_rows_of_seat(f, f->seat[1]), 0);

	/* A second payment of a hold; a payment ledger row with a credit. */
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO payment(hold_id, user_id, amount,"
	    " created_at) VALUES (%lld, %lld, 0, %lld)", (long long)h,
	    (long long)u, (long long)T0), SQLITE_CONSTRAINT_UNIQUE);
	assert_int_equal(fx_try(f->db,
	    "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, hold_id, created_at) VALUES (%lld, 'PAYMENT', 5,"
	    " %lld, %lld, %lld)", (long long)u, (long long)fx_balance(f, 0) + 5,
	    (long long)h, (long long)T0), SQLITE_CONSTRAINT_CHECK);
}

/* ---- 8. holds_expire_all and seats_mine ---- */

static void
expire_all_and_mine(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct my_seat *ms;
	char section[64], row[16];
	int64_t A, B, C, D, E, F, G, n;
	size_t k;

	fx_admit(f, 0, HALL_CONCERT, T0);
	fx_admit(f, 1, HALL_CONCERT, T0);
	fx_admit(f, 2, HALL_CONCERT, T0);
	fx_charge(f, 1, MAX_CHARGE, NULL, T0);
	fx_charge(f, 0, MAX_CHARGE, NULL, T0);

	A = fx_hold(f, 0, PERF, f->seat[0], T0);            /* until T0+300 */
	B = fx_hold(f, 0, PERF, f->seat[1], T0 + 100);      /* until T0+400 */
	C = fx_hold(f, 1, PERF, f->seat[2], T0);            /* paid */
	D = fx_hold(f, 1, PERF, f->seat[3], T0);            /* released */
	assert_int_equal(hold_release(f->db, D, f->user[1], T0 + 1), BO_OK);
	fx_pay(f, 1, C, T0 + 2);
	E = fx_hold(f, 2, PERF, f->seat[4], T0 + 250);      /* until T0+550 */
	F = fx_hold(f, 0, PERF2, SEAT2(f, 0), T0 + 150);    /* other date */
	G = fx_hold(f, 0, PERF, f->seat[5], T0 + 200);      /* paid, until T0+500 */
	fx_pay(f, 0, G, T0 + 201);

	/* seats_mine at T0+299: A, B and the paid G, by seat; not F (other
	 * date), nor C, D, E (other buyers). */
	assert_int_equal(seats_mine(f->db, &a, f->user[0], PERF, T0 + 299, &ms,
	    &k), BO_OK);
	assert_int_equal(k, 3);
	assert_int_equal(ms[0].hold_id, A);
	assert_int_equal(ms[1].hold_id, B);
	assert_int_equal(ms[2].hold_id, G);
	assert_false(ms[0].paid);
	assert_false(ms[1].paid);
	assert_true(ms[2].paid);
	assert_int_equal(ms[1].seat_id, f->seat[1]);
	assert_int_equal(ms[1].order_id, 0);
	fx_text(f->db, section, sizeof section,
	    "SELECT section FROM seat WHERE id = %lld",
	    (long long)f->seat[1]);
	fx_text(f->db, row, sizeof row,
	    "SELECT row_label FROM seat WHERE id = %lld",
	    (long long)f->seat[1]);
	assert_string_equal(ms[1].section, section);
	assert_string_equal(ms[1].row, row);
	assert_int_equal(ms[1].number, fx_int(f->db,
	    "SELECT number FROM seat WHERE id = %lld", (long long)f->seat[1]));
	assert_int_equal(ms[1].price, seat_price(f, f->seat[1]));
	assert_int_equal(ms[1].expires_at, T0 + 100 + HOLD_S);
	assert_int_equal(ms[0].expires_at, T0 + HOLD_S);
	/* At T0+300 A has lapsed: B, and G, paid, which never lapses. */
	assert_int_equal(seats_mine(f->db, &a, f->user[0], PERF, T0 + 300, &ms,
	    &k), BO_OK);
	assert_int_equal(k, 2);
	assert_int_equal(ms[0].hold_id, B);
	assert_int_equal(ms[1].hold_id, G);
	/* The other date: F alone. Buyer 1: the paid C, not the released D. */
	assert_int_equal(seats_mine(f->db, &a, f->user[0], PERF2, T0 + 300, &ms,
	    &k), BO_OK);
	assert_int_equal(k, 1);
	assert_int_equal(ms[0].hold_id, F);
	assert_int_equal(seats_mine(f->db, &a, f->user[1], PERF, T0 + 10, &ms,
	    &k), BO_OK);
	assert_int_equal(k, 1);
	assert_int_equal(ms[0].hold_id, C);
	assert_true(ms[0].paid);
	assert_int_equal(seats_mine(f->db, &a, f->user[2], PERF, T0 + 300, &ms,
	    &k), BO_OK);
	assert_int_equal(k, 1);
	assert_int_equal(ms[0].hold_id, E);
	/* Once lapsed, E is no longer the buyer's. */
	assert_int_equal(seats_mine(f->db, &a, f->user[2], PERF, T0 + 550, &ms,
	    &k), BO_OK);
	assert_int_equal(k, 0);

	/* Nothing lapsed yet at T0+299. */
	assert_int_equal(holds_expire_all(f->db, T0 + 299, &n), BO_OK);
	assert_int_equal(n, 0);
	/* At T0+400: A (lapsed before), B (exactly now); F lapsed at T0+450
	 * is not yet; C, G paid, D released, E live stay. */
	assert_int_equal(holds_expire_all(f->db, T0 + 400, &n), BO_OK);
	assert_int_equal(n, 2);
	assert_hold_stored(f, A, "EXPIRED");
	assert_hold_stored(f, B, "EXPIRED");
	assert_hold_stored(f, C, "PAID");
	assert_hold_stored(f, D, "RELEASED");
	assert_hold_stored(f, E, "HELD");
	assert_hold_stored(f, F, "HELD");
	assert_hold_stored(f, G, "PAID");
	/* Again: nothing more to write. */
	assert_int_equal(holds_expire_all(f->db, T0 + 400, &n), BO_OK);
	assert_int_equal(n, 0);
	/* Long after: E and F; paid rows never expire. */
	assert_int_equal(holds_expire_all(f->db, T0 + 100000, &n), BO_OK);
	assert_int_equal(n, 2);
	assert_hold_stored(f, E, "EXPIRED");
	assert_hold_stored(f, F, "EXPIRED");
	assert_hold_stored(f, C, "PAID");
	assert_hold_stored(f, G, "PAID");
	assert_hold_stored(f, D, "RELEASED");
	assert_int_equal(fx_int(f->db,
	    "SELECT count(*) FROM hold WHERE state = 'HELD'"), 0);
	arena_free(&a);
}

/* ---- 9. bookings_list ---- */

static void
check_booking(struct fx_sale *f, const struct booking *b, int64_t seat,
    int64_t hold_id, int64_t paid_at, const char *title)
{
	char buf[256];

	assert_int_equal(b->hold_id, hold_id);
	assert_int_equal(b->payment_id, fx_int(f->db,
	    "SELECT id FROM payment WHERE hold_id = %lld", (long long)hold_id));
	assert_int_equal(b->amount, seat_price(f, seat));
	assert_int_equal(b->paid_at, paid_at);
	assert_int_equal(b->number, fx_int(f->db,
	    "SELECT number FROM seat WHERE id = %lld", (long long)seat));
	assert_int_equal(b->performance_id, fx_int(f->db,
	    "SELECT performance_id FROM"
	    " seat WHERE id = %lld", (long long)seat));
	assert_int_equal(b->starts_at, fx_int(f->db,
	    "SELECT starts_at FROM performance"
	    " WHERE id = %lld", (long long)b->performance_id));
	fx_text(f->db, buf, sizeof buf,
	    "SELECT section FROM seat WHERE id = %lld",
	    (long long)seat);
	assert_string_equal(b->section, buf);
	fx_text(f->db, buf, sizeof buf,
	    "SELECT row_label FROM seat WHERE id = %lld",
	    (long long)seat);
	assert_string_equal(b->row, buf);
	assert_string_equal(b->concert_title, title);
	fx_text(f->db, buf, sizeof buf,
	    "SELECT c.venue FROM concert c JOIN performance p"
	    " ON p.concert_id = c.id WHERE p.id = %lld",
	    (long long)b->performance_id);
	assert_string_equal(b->venue, buf);
}

static void
bookings_list_paid_seats(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct booking *bk;
	struct keyset all = keyset_first(KEYSET_MAX);
	int64_t h1, h2, h3, club_seat;
	size_t n;

	fx_admit(f, 0, HALL_CONCERT, T0);
	fx_admit(f, 0, CLUB_CONCERT, T0);
	fx_admit(f, 1, HALL_CONCERT, T0);
	fx_charge(f, 0, MAX_CHARGE, NULL, T0);
	fx_charge(f, 1, MAX_CHARGE, NULL, T0);
	club_seat = fx_int(f->db,
	    "SELECT min(id) FROM seat WHERE performance_id = %lld",
	    (long long)CLUB_PERF);

	/* Nothing paid yet. */
	assert_int_equal(bookings_list(f->db, &a, f->user[0], T0 + 20, &all, &bk, &n), BO_OK);
	assert_int_equal(n, 0);

	h1 = fx_hold(f, 0, PERF2, SEAT2(f, 0), T0 + 1);
	h2 = fx_hold(f, 0, PERF, f->seat[7], T0 + 2);
	h3 = fx_hold(f, 0, CLUB_PERF, club_seat, T0 + 3);
	fx_hold(f, 0, PERF, f->seat[6], T0 + 4);            /* held, not paid */
	fx_pay(f, 1, fx_hold(f, 1, PERF, f->seat[0], T0 + 5), T0 + 6); /* not mine */
	fx_pay(f, 0, h1, T0 + 10);
	fx_pay(f, 0, h2, T0 + 11);
	fx_pay(f, 0, h3, T0 + 12);

	/* By show, the next first (not the order paid in): the club, then
	 * the hall's two dates. */
	assert_int_equal(bookings_list(f->db, &a, f->user[0], T0 + 20, &all, &bk, &n), BO_OK);
	assert_int_equal(n, 3);
	check_booking(f, &bk[0], club_seat, h3, T0 + 12, "Midnight Jazz Session");
	check_booking(f, &bk[1], f->seat[7], h2, T0 + 11, "Winter Symphony Gala");
	check_booking(f, &bk[2], SEAT2(f, 0), h1, T0 + 10, "Winter Symphony Gala");
	assert_true(bk[0].starts_at < bk[1].starts_at);
	assert_true(bk[1].starts_at < bk[2].starts_at);

	assert_int_equal(bookings_list(f->db, &a, f->user[1], T0 + 20, &all, &bk, &n), BO_OK);
	assert_int_equal(n, 1);
	check_booking(f, &bk[0], f->seat[0], bk[0].hold_id, T0 + 6,
	    "Winter Symphony Gala");
	assert_int_equal(bookings_list(f->db, &a, f->user[2], T0 + 20, &all, &bk, &n), BO_OK);
	assert_int_equal(n, 0);
	arena_free(&a);
}

/* ---- 10. money is conserved ---- */

static void
assert_conserved(struct fx_sale *f, int nbuyers)
{
	int64_t charged = 0, balances = 0, paid = 0;

	for (int i = 0; i < nbuyers; i++) {
		long long u = (long long)f->user[i];
		int64_t c = fx_int(f->db,
		    "SELECT coalesce(sum(amount), 0) FROM ledger"
		    " WHERE user_id = %lld AND kind = 'CHARGE'", u);
		int64_t p = fx_int(f->db,
		    "SELECT coalesce(sum(amount), 0) FROM payment"
		    " WHERE user_id = %lld", u);
		int64_t b = fx_balance(f, i);

		assert_int_equal(b, fx_int(f->db,
		    "SELECT coalesce(sum(amount), 0) FROM"
		    " ledger WHERE user_id = %lld", u));
		assert_int_equal(c, b + p);
		/* Each payment has its ledger row, with the opposite sign. */
		assert_int_equal(-p, fx_int(f->db,
		    "SELECT coalesce(sum(amount), 0) FROM"
		    " ledger WHERE user_id = %lld AND kind = 'PAYMENT'", u));
		assert_int_equal(fx_int(f->db,
		    "SELECT count(*) FROM payment WHERE"
		    " user_id = %lld", u), fx_int(f->db,
		    "SELECT count(*) FROM ledger"
		    " WHERE user_id = %lld AND kind = 'PAYMENT'", u));
		/* The newest ledger row leaves the balance. */
		if (fx_int(f->db,
		    "SELECT count(*) FROM ledger WHERE user_id = %lld", u))
			assert_int_equal(b, fx_int(f->db,
			    "SELECT balance_after FROM ledger"
			    " WHERE user_id = %lld ORDER BY id DESC LIMIT 1", u));
		charged += c;
		balances += b;
		paid += p;
	}
	assert_int_equal(charged, balances + paid);
	/* Every payment is of a PAID hold, at its price. */
	assert_int_equal(fx_int(f->db,
	    "SELECT count(*) FROM payment pay JOIN hold h ON"
	    " h.id = pay.hold_id WHERE h.state <> 'PAID' OR h.price <> pay.amount"
	    " OR h.user_id <> pay.user_id"), 0);
	assert_int_equal(fx_int(f->db,
	    "SELECT count(*) FROM hold WHERE state = 'PAID'"),
	    fx_int(f->db, "SELECT count(*) FROM payment"));
}

static void
money_is_conserved(void **state)
{
	struct fx_sale *f = *state;
	int64_t h[3][3], pid, t = T0, expect[3] = { 0, 0, 0 }, b;
	int64_t charged = 0, spent = 0;
	int already, replayed;
	char key[32];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 3; i++) {
			int64_t amount = 60000 + 40000 * i + 7 * round;

			/* A keyed charge, then its replay. */
			snprintf(key, sizeof key, "r%d-b%d", round, i);
			b = fx_charge(f, i, amount, key, ++t);
			expect[i] += amount;
			charged += amount;
			assert_int_equal(b, expect[i]);
			assert_int_equal(wallet_charge(f->db, f->user[i], amount,
			    MAX_CHARGE, key, ++t, &b, &replayed), BO_OK);
			assert_int_equal(replayed, 1);
			assert_int_equal(b, expect[i]);

			/* A seat (a fresh ticket after a payment ended the
			 * last); paid when affordable, else refused intact. */
			fx_admit(f, i, HALL_CONCERT, ++t);
			h[round][i] = fx_hold(f, i, PERF, f->seat[round * 3 + i], ++t);
			if (payment_pay(f->db, h[round][i], f->user[i], ++t, NULL,
			    &pid, &already) == BO_OK) {
				int64_t price = fx_int(f->db,
				    "SELECT price FROM hold WHERE"
				    " id = %lld", (long long)h[round][i]);

				assert_int_equal(already, 0);
				expect[i] -= price;
				spent += price;
			} else {
				assert_hold_stored(f, h[round][i], "HELD");
				assert_int_equal(hold_release(f->db, h[round][i],
				    f->user[i], ++t), BO_OK);
			}
			assert_int_equal(fx_balance(f, i), expect[i]);
			assert_conserved(f, 3);
		}
	}
	/* Some paid, some refused: both paths were taken, by every buyer. */
	assert_true(spent > 0);
	for (int i = 0; i < 3; i++)
		assert_true(fx_int(f->db,
		    "SELECT count(*) FROM payment WHERE user_id ="
		    " %lld", (long long)f->user[i]) > 0);
	assert_true(fx_int(f->db,
	    "SELECT count(*) FROM hold WHERE state = 'RELEASED'")
	    > 0);
	assert_int_equal(charged, expect[0] + expect[1] + expect[2] + spent);
	assert_conserved(f, 3);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fx_sale_teardown)
	const struct CMUnitTest tests[] = {
		T(hold_create_answers),
		T(lazy_expiry_edges),
		T(hold_release_cases),
		T(wallet_charge_cases),
		T(wallet_charge_past_the_largest_balance),
		T(payment_pay_cases),
		T(ticket_done_after_last_hold),
		T(turn_ends_hold_stays_leave_releases),
		T(schema_invariants),
		T(expire_all_and_mine),
		T(bookings_list_paid_seats),
		T(money_is_conserved),
	};
#undef T

	return cmocka_run_group_tests_name("money", tests, fx_group_setup,
	    NULL);
}
