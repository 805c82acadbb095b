/*
 * test_refund.c — refunds, cancellations and cancelled performances
 * (core/refund.c, schema/014_refund.sql) against a real SQLite file with
 * the demo catalogue and an explicit clock.
 *
 * Covers: migration 014 rebuilds a ledger that has rows (ids, balances
 * and every trigger of 004 kept; REFUND allowed once per hold and only
 * for what was paid); a refund gives the price back (balance = ledger),
 * kills the code, frees the seat for another buyer, and audits who did
 * it; a second refund is BO_GONE and writes nothing; a buyer's cancel
 * until cancel_until_hours before the show, not a second after, never
 * when "off", never another buyer's; cancel-performance voids live
 * holds, refunds every ticket in batches, refuses new holds and
 * payments, and finishes what is left when run again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit.h"
#include "catalog.h"
#include "checkin.h"
#include "db.h"
#include "hold.h"
#include "payment.h"
#include "refund.h"

#include "fixture.h"

#define T0 FX_T0 /* demo sales are open */
#define HALL_CONCERT FX_HALL_CONCERT
#define PERF FX_HALL_PERF /* the 1,000-seat hall */
#define BUYERS 4

/* The sale of fixture.h; a buyer may hold and pay hundreds of seats. */
static int
setup(void **state)
{
	struct fx_sale *f = fx_sale_new("refund", BUYERS);

	if (f == NULL)
		return -1;
	f->set.max_holds = 1000;
	f->set.max_charge = INT64_C(1000000000);
	*state = f;
	return 0;
}

static const struct audit_actor cli = { 0, "cli:test" };

/* PERF's start. */
static int64_t
starts(struct fx_sale *f)
{
	return fx_int(f->db, "SELECT starts_at FROM performance WHERE id = %lld",
	    (long long)PERF);
}

/* Buyer b, admitted and topped up, buys seats first..first+n-1 of PERF
 * (fx_buy); hold ids into holds (n of them) when not NULL. */
static void
buy(struct fx_sale *f, int b, int n, int64_t first, int64_t *holds)
{
	fx_buy(f, b, HALL_CONCERT, PERF, first, n, T0, holds);
}

/* balance = sum(ledger) for every buyer; total charged = balances +
 * gross sales - refunds. */
static void
money_is_whole(struct fx_sale *f)
{
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM user u WHERE"
	    " u.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger l"
	    " WHERE l.user_id = u.id)"), 0);
	assert_int_equal(fx_int(f->db, "SELECT coalesce(sum(amount), 0) FROM"
	    " ledger WHERE kind = 'CHARGE'"),
	    fx_int(f->db, "SELECT sum(balance) FROM user") +
	    fx_int(f->db, "SELECT coalesce(sum(amount), 0) FROM payment") -
	    fx_int(f->db, "SELECT coalesce(sum(amount), 0) FROM ledger"
	    " WHERE kind = 'REFUND'"));
}

static void
code_of_hold(struct fx_sale *f, int64_t hold, char code[TICKET_CODE_SIZE])
{
	fx_text(f->db, code, TICKET_CODE_SIZE, "SELECT code FROM ticket"
	    " WHERE hold_id = %lld", (long long)hold);
	assert_int_equal(strlen(code), TICKET_CODE_LEN);
}

/* ---- migration 014 on a database with rows ---- */

static void
migration_rebuilds_a_ledger_with_rows(void **state)
{
	struct fx_files files;
	struct db *db;

	(void)state;
	assert_int_equal(fx_db_at_version(&files, "ref13", 13, &db), 0);
	fx_exec(db, "INSERT INTO user(id, email, pw_hash, created_at) VALUES"
	    " (5, 'a@example.com', 'x', 1), (6, 'b@example.com', 'x', 1)");
	fx_exec(db, "INSERT INTO concert(id, title, artist, venue)"
	    " VALUES (1, 'C', 'A', 'V')");
	fx_exec(db, "INSERT INTO performance(id, concert_id, starts_at,"
	    " sale_opens_at, sale_closes_at) VALUES (1, 1, 100, 10, 90)");
	fx_exec(db, "INSERT INTO seat(id, performance_id, section, row_label,"
	    " number, price) VALUES (1, 1, 'R', 'A', 1, 300)");
	fx_exec(db, "INSERT INTO ledger(id, user_id, kind, amount,"
	    " balance_after, idem_key, created_at) VALUES"
	    " (3, 5, 'CHARGE', 1000, 1000, 'k1', 20),"
	    " (4, 6, 'CHARGE', 50, 50, NULL, 21)");
	fx_exec(db, "INSERT INTO hold(id, seat_id, performance_id, user_id,"
	    " state, price, created_at, expires_at)"
	    " VALUES (9, 1, 1, 5, 'HELD', 300, 22, 80)");
	fx_exec(db, "INSERT INTO ledger(id, user_id, kind, amount,"
	    " balance_after, hold_id, created_at)"
	    " VALUES (7, 5, 'PAYMENT', -300, 700, 9, 23)");
	fx_exec(db, "INSERT INTO payment(hold_id, user_id, amount, created_at)"
	    " VALUES (9, 5, 300, 23)");
	fx_exec(db, "UPDATE hold SET state = 'PAID' WHERE id = 9");

	assert_int_equal(db_migrate(db), BO_OK);
	assert_int_equal(db_schema_version(db), db_schema_latest());
	/* the rows, with their ids and balances */
	assert_int_equal(fx_int(db, "SELECT count(*) FROM ledger"), 3);
	assert_int_equal(fx_int(db, "SELECT group_concat(id || ':' ||"
	    " balance_after, ',') = '3:1000,4:50,7:700' FROM (SELECT * FROM"
	    " ledger ORDER BY id)"), 1);
	assert_int_equal(fx_int(db, "SELECT balance FROM user WHERE id = 5"), 700);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM sqlite_schema WHERE"
	    " name = 'ledger_new'"), 0);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	/* every invariant of 004, on the new table */
	assert_int_equal(fx_try(db, "UPDATE ledger SET amount = 1 WHERE id = 3"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(db, "DELETE FROM ledger"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(db, "UPDATE user SET balance = 5 WHERE id = 5"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(db, "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, created_at) VALUES (5, 'CHARGE', 1, 5, 30)"),
	    SQLITE_CONSTRAINT_TRIGGER); /* breaks the chain */
	assert_int_equal(fx_try(db, "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, idem_key, created_at)"
	    " VALUES (5, 'CHARGE', 1, 701, 'k1', 30)"), SQLITE_CONSTRAINT_UNIQUE);
	/* a REFUND: its hold, what was paid, once */
	assert_int_equal(fx_try(db, "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, created_at) VALUES (5, 'REFUND', 0, 700, 30)"),
	    SQLITE_CONSTRAINT_CHECK); /* no hold */
	assert_int_equal(fx_try(db, "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, hold_id, created_at)"
	    " VALUES (5, 'REFUND', 301, 1001, 9, 30)"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(db, "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, hold_id, created_at)"
	    " VALUES (6, 'REFUND', 300, 350, 9, 30)"),
	    SQLITE_CONSTRAINT_TRIGGER); /* not the buyer who paid */
	fx_exec(db, "INSERT INTO ledger(user_id, kind, amount, balance_after,"
	    " hold_id, created_at) VALUES (5, 'REFUND', 300, 1000, 9, 30)");
	assert_int_equal(fx_int(db, "SELECT balance FROM user WHERE id = 5"), 1000);
	assert_int_equal(fx_try(db, "INSERT INTO ledger(user_id, kind, amount,"
	    " balance_after, hold_id, created_at)"
	    " VALUES (5, 'REFUND', 300, 1300, 9, 31)"), SQLITE_CONSTRAINT_UNIQUE);
	fx_db_destroy(&files, db);
}

/* ---- an operator's refund ---- */

static void
refund_gives_back_and_frees_the_seat(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct refund_ticket t;
	struct audit_entry *e;
	char code[TICKET_CODE_SIZE];
	int64_t hold[2], again, pid, before;
	int already;
	size_t n;

	buy(f, 0, 2, 0, hold);
	code_of_hold(f, hold[0], code);
	before = fx_balance(f, 0);
	assert_int_equal(refund_find(f->db, &a, code, &t), BO_OK);
	assert_int_equal(t.refunded_at, 0);
	assert_string_equal(t.email, "buyer0@example.com");
	assert_true(t.price > 0);

	assert_int_equal(refund_ticket(f->db, &a, code, &cli, T0 + 50, &t), BO_OK);
	assert_int_equal(t.refunded_at, T0 + 50);
	assert_int_equal(fx_balance(f, 0), before + t.price);
	assert_int_equal(fx_int(f->db, "SELECT refunded_at FROM ticket"
	    " WHERE code = '%s'", code), T0 + 50);
	assert_int_equal(fx_int(f->db, "SELECT state = 'RELEASED' FROM hold"
	    " WHERE id = %lld", (long long)hold[0]), 1);
	/* the other ticket is untouched */
	assert_int_equal(fx_int(f->db, "SELECT state = 'PAID' FROM hold"
	    " WHERE id = %lld", (long long)hold[1]), 1);
	money_is_whole(f);
	/* one audit row: the CLI's user, the ticket, before and after */
	assert_int_equal(audit_list(f->db, &a, 0, 5, &e, &n), BO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].action, "refund");
	assert_string_equal(e[0].actor, "cli:test");
	assert_non_null(strstr(e[0].subject, "ticket "));
	assert_non_null(strstr(e[0].before, "buyer0@example.com"));
	assert_non_null(strstr(e[0].after, "refunded"));

	/* twice: gone, and nothing more is written */
	assert_int_equal(refund_ticket(f->db, &a, code, &cli, T0 + 51, &t),
	    BO_GONE);
	assert_int_equal(t.refunded_at, T0 + 50);
	assert_int_equal(fx_balance(f, 0), before + t.price);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM audit"), 1);
	assert_int_equal(refund_ticket(f->db, &a, "0000000000000000000000000000",
	    &cli, T0 + 51, &t), BO_NOT_FOUND);

	/* the seat sells again, to another buyer, with a new code */
	buy(f, 1, 0, 0, NULL);
	assert_int_equal(hold_create(f->db, PERF, fx_seat(f, PERF, 0), f->user[1],
	    T0 + 60, &f->set, NULL, &again), BO_OK);
	assert_int_equal(payment_pay(f->db, again, f->user[1], T0 + 61, NULL,
	    &pid, &already), BO_OK);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ticket t JOIN hold h"
	    " ON h.id = t.hold_id WHERE h.seat_id = %lld AND t.refunded_at IS NULL",
	    (long long)fx_seat(f, PERF, 0)), 1);
	money_is_whole(f);
	arena_free(&a);
}

/* A ticket let in at the door is refunded by nobody, cancelled by
 * nobody: the door and the refund decide in their own transactions. */
static void
a_used_ticket_stays_used(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct refund_ticket t;
	struct checkin ci;
	char code[TICKET_CODE_SIZE];
	int64_t hold[2], before;

	buy(f, 0, 2, 0, hold);
	code_of_hold(f, hold[0], code);
	before = fx_balance(f, 0);
	assert_int_equal(checkin_admit(f->db, &a, code, PERF, "B", f->user[3],
	    T0 + 100, &ci), BO_OK);
	assert_int_equal(refund_find(f->db, &a, code, &t), BO_OK);
	assert_int_equal(t.used_at, T0 + 100);
	assert_int_equal(refund_ticket(f->db, &a, code, &cli, T0 + 101, &t),
	    BO_CONFLICT);
	assert_int_equal(refund_cancel(f->db, &a, hold[0], f->user[0], 24,
	    T0 + 101, &t), BO_CONFLICT);
	assert_int_equal(fx_balance(f, 0), before);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM audit"), 0);
	/* and the other way round: a refunded code opens no door */
	code_of_hold(f, hold[1], code);
	assert_int_equal(refund_ticket(f->db, &a, code, &cli, T0 + 102, &t),
	    BO_OK);
	assert_int_equal(checkin_admit(f->db, &a, code, PERF, "B", f->user[3],
	    T0 + 103, &ci), BO_GONE);
	money_is_whole(f);
	arena_free(&a);
}

/* ---- a buyer's cancellation ---- */

static void
cancel_until_the_deadline_only(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct refund_ticket t;
	struct audit_entry *e;
	int64_t hold[3], deadline, before;
	size_t n;

	buy(f, 0, 3, 0, hold);
	deadline = refund_cancel_deadline(starts(f), 24);
	assert_int_equal(deadline, starts(f) - 24 * 3600);
	assert_int_equal(refund_cancel_deadline(starts(f), -1), 0);

	/* another buyer's ticket is not found */
	assert_int_equal(refund_cancel(f->db, &a, hold[0], f->user[1], 24,
	    deadline - 10, &t), BO_NOT_FOUND);
	assert_int_equal(refund_find_mine(f->db, &a, hold[0], f->user[1], &t),
	    BO_NOT_FOUND);
	/* at the deadline it is too late; "off" never allows it */
	assert_int_equal(refund_cancel(f->db, &a, hold[0], f->user[0], 24,
	    deadline, &t), BO_FORBIDDEN);
	assert_int_equal(refund_cancel(f->db, &a, hold[0], f->user[0], -1,
	    T0 + 2, &t), BO_FORBIDDEN);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ledger"
	    " WHERE kind = 'REFUND'"), 0);
	/* a second before it, it is allowed */
	before = fx_balance(f, 0);
	assert_int_equal(refund_cancel(f->db, &a, hold[0], f->user[0], 24,
	    deadline - 1, &t), BO_OK);
	assert_int_equal(fx_balance(f, 0), before + t.price);
	assert_int_equal(t.refunded_at, deadline - 1);
	/* twice: gone, even after the deadline */
	assert_int_equal(refund_cancel(f->db, &a, hold[0], f->user[0], 24,
	    deadline - 1, &t), BO_GONE);
	assert_int_equal(refund_cancel(f->db, &a, hold[0], f->user[0], 24,
	    deadline + 5, &t), BO_GONE);
	/* 0 hours: until the show starts */
	assert_int_equal(refund_cancel(f->db, &a, hold[1], f->user[0], 0,
	    starts(f) - 1, &t), BO_OK);
	assert_int_equal(refund_cancel(f->db, &a, hold[2], f->user[0], 0,
	    starts(f), &t), BO_FORBIDDEN);
	money_is_whole(f);
	/* audited as "cancel", the buyer as the actor */
	assert_int_equal(audit_list(f->db, &a, 0, 5, &e, &n), BO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].action, "cancel");
	assert_string_equal(e[0].actor, "buyer0@example.com");
	arena_free(&a);
}

/* ---- a whole performance cancelled ---- */

static void
cancel_performance_refunds_everything(void **state)
{
	struct fx_sale *f = *state;
	struct arena a = ARENA_INIT;
	struct refund_cancelled c;
	struct concert con;
	struct performance p;
	int64_t live, h, sold, gross, before0, before1;
	size_t n;

	/* more than a batch of tickets, and a live unpaid hold */
	buy(f, 0, 250, 0, NULL);
	buy(f, 1, 3, 250, NULL);
	buy(f, 2, 0, 0, NULL); /* admitted, holds a seat, has not paid */
	assert_int_equal(hold_create(f->db, PERF, fx_seat(f, PERF, 400), f->user[2],
	    T0 + 2, &f->set, NULL, &live), BO_OK);
	sold = fx_int(f->db, "SELECT count(*) FROM ticket WHERE performance_id"
	    " = %lld", (long long)PERF);
	gross = fx_int(f->db, "SELECT sum(amount) FROM payment");
	before0 = fx_balance(f, 0);
	before1 = fx_balance(f, 1);
	assert_int_equal(sold, 253);

	assert_int_equal(refund_cancel_performance(f->db, 999, &cli, T0 + 10, &c),
	    BO_NOT_FOUND);
	assert_int_equal(refund_cancel_performance(f->db, PERF, &cli, T0 + 10,
	    &c), BO_OK);
	assert_int_equal(c.already, 0);
	assert_int_equal(c.cancelled_at, T0 + 10);
	assert_int_equal(c.holds_voided, 1);
	assert_int_equal(c.tickets_refunded, 253);
	assert_int_equal(c.amount_refunded, gross);
	assert_int_equal(c.batches, 2);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ticket WHERE"
	    " refunded_at IS NULL"), 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold WHERE"
	    " performance_id = %lld AND state IN ('HELD','PAID')",
	    (long long)PERF), 0);
	assert_int_equal(fx_balance(f, 0) + fx_balance(f, 1),
	    before0 + before1 + gross);
	money_is_whole(f);
	/* one audit row for the cancellation, one per ticket */
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM audit WHERE"
	    " action = 'cancel_performance'"), 1);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM audit WHERE"
	    " action = 'refund'"), 253);

	/* it never sells again, and says so */
	assert_int_equal(catalog_performance(f->db, &a, PERF, T0 + 20, &con, &p,
	    NULL, &n), BO_OK);
	assert_int_equal(performance_sale_state(&p, T0 + 20), SALE_CANCELLED);
	assert_int_equal(p.seats_left, 0);
	/* the concert's other date alone counts on the front page */
	{
		struct concert_summary *list;
		size_t k, found = 0;

		assert_int_equal(catalog_concerts(f->db, &a, T0 + 20, &list, &k),
		    BO_OK);
		for (size_t i = 0; i < k; i++) {
			if (list[i].id != HALL_CONCERT)
				continue;
			found = 1;
			assert_int_equal(list[i].performances, 1);
			assert_int_equal(list[i].seats_left, fx_int(f->db,
			    "SELECT seat_count FROM performance WHERE concert_id"
			    " = %lld AND id <> %lld", (long long)HALL_CONCERT,
			    (long long)PERF));
		}
		assert_true(found);
	}
	assert_int_equal(hold_create(f->db, PERF, fx_seat(f, PERF, 500), f->user[1],
	    T0 + 20, &f->set, NULL, &h), BO_GONE);
	assert_int_equal(fx_try(f->db, "INSERT INTO hold(seat_id,"
	    " performance_id, user_id, state, price, created_at, expires_at)"
	    " VALUES (%lld, %lld, %lld, 'HELD', 1, 1, %lld)",
	    (long long)fx_seat(f, PERF, 500), (long long)PERF, (long long)f->user[1],
	    (long long)(T0 + 999)), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "UPDATE performance SET cancelled_at ="
	    " NULL"), SQLITE_CONSTRAINT_TRIGGER);

	/* again: already cancelled, nothing left to refund */
	assert_int_equal(refund_cancel_performance(f->db, PERF, &cli, T0 + 30,
	    &c), BO_OK);
	assert_int_equal(c.already, 1);
	assert_int_equal(c.cancelled_at, T0 + 10);
	assert_int_equal(c.tickets_refunded, 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM audit WHERE"
	    " action = 'cancel_performance'"), 1);
	arena_free(&a);
}

/* A run cut short (tickets left unrefunded after the cancellation) is
 * finished by the next. */
static void
cancel_performance_finishes_what_is_left(void **state)
{
	struct fx_sale *f = *state;
	struct refund_cancelled c;

	buy(f, 0, 3, 0, NULL);
	/* as if the first transaction committed and the process died */
	fx_exec(f->db, "UPDATE performance SET cancelled_at = %lld WHERE id ="
	    " %lld", (long long)(T0 + 5), (long long)PERF);
	assert_int_equal(refund_cancel_performance(f->db, PERF, &cli, T0 + 9,
	    &c), BO_OK);
	assert_int_equal(c.already, 1);
	assert_int_equal(c.tickets_refunded, 3);
	money_is_whole(f);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fx_sale_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migration_rebuilds_a_ledger_with_rows),
		T(refund_gives_back_and_frees_the_seat),
		T(a_used_ticket_stays_used),
		T(cancel_until_the_deadline_only),
		T(cancel_performance_refunds_everything),
		T(cancel_performance_finishes_what_is_left),
	};
#undef T

	return cmocka_run_group_tests_name("refund", tests, fx_group_setup,
	    NULL);
}
