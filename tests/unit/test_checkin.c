/*
 * test_checkin.c — the door (core/checkin.c) and the printable ticket's
 * reader (core/ticket.c) against a real SQLite file with the demo
 * catalogue and an explicit clock.
 *
 * Covers: a code is admitted once (then answered with the first time and
 * door), in any form a person types it; refunded, unknown and
 * other-performance codes are refused and change nothing; a code that is
 * not one is refused before any statement runs; the schema itself refuses
 * a second admission, and changing or deleting one; door names; the
 * door's counts; a ticket is shown to its owner and staff only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit.h"
#include "checkin.h"
#include "db.h"
#include "hold.h"
#include "payment.h"
#include "queue.h"
#include "role.h"
#include "setting.h"
#include "ticket.h"
#include "ticket_code.h"
#include "wallet.h"

#include "fixture.h"

#define T0 FX_T0 /* demo sales are open */
#define HALL_CONCERT FX_HALL_CONCERT
#define PERF FX_HALL_PERF
#define OTHER_PERF INT64_C(2)
#define BUYERS 3 /* 0 buys, 1 is another buyer, 2 is staff */

/* Buyer 0's three tickets of PERF, bought by setup. */
static char code[3][TICKET_CODE_SIZE];

/* The sale of fixture.h where buyer 0 has bought three seats of PERF and
 * buyer 2 is staff. */
static int
setup(void **state)
{
	struct fx_sale *f = fx_sale_new("checkin", BUYERS);
	const struct audit_actor cli = { 0, "cli:test" };
	int64_t hold[3];

	if (f == NULL)
		return -1;
	*state = f;
	f->set.max_charge = INT64_C(1000000000);
	fx_buy(f, 0, HALL_CONCERT, PERF, 0, 3, T0, hold);
	for (int i = 0; i < 3; i++)
		fx_text(f->db, code[i], sizeof code[i], "SELECT code FROM"
		    " ticket WHERE hold_id = %lld", (long long)hold[i]);
	assert_int_equal(role_grant(f->db, "buyer2@example.com", ROLE_STAFF,
	    &cli, T0), BO_OK);
	return 0;
}

static void
admitted_once_then_told_when_and_where(void **state)
{
	struct fx_sale *f = *state;
	char grouped[TICKET_CODE_GROUPED_SIZE];
	struct checkin c;

	/* As a person types it: grouped and in lower case. */
	ticket_code_group(code[0], grouped);
	for (char *p = grouped; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	assert_int_equal(checkin_admit(f->db, &f->a, grouped, PERF, "B",
	    f->user[2], T0 + 100, &c), BO_OK);
	assert_string_equal(c.code, code[0]);
	assert_int_equal(c.at, T0 + 100);
	assert_string_equal(c.door, "B");
	assert_int_equal(c.performance_id, PERF);
	assert_int_equal(c.number, 1);
	/* Again, elsewhere, later: the first admission is the answer. */
	assert_int_equal(checkin_admit(f->db, &f->a, code[0], 0, "North",
	    f->user[2], T0 + 200, &c), BO_CONFLICT);
	assert_int_equal(c.at, T0 + 100);
	assert_string_equal(c.door, "B");
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM checkin"), 1);
	assert_int_equal(fx_int(f->db, "SELECT staff_user FROM checkin"),
	    f->user[2]);
	/* No door named: the default. */
	assert_int_equal(checkin_admit(f->db, &f->a, code[1], 0, NULL,
	    f->user[2], T0 + 300, &c), BO_OK);
	assert_string_equal(c.door, CHECKIN_DOOR_DEFAULT);
}

static void
refused_codes_change_nothing(void **state)
{
	struct fx_sale *f = *state;
	char typo[TICKET_CODE_SIZE];
	struct checkin c;
	int64_t changes;

	assert_int_equal(checkin_admit(f->db, &f->a, code[0], OTHER_PERF,
	    "A", f->user[2], T0, &c), BO_FORBIDDEN);
	assert_int_equal(c.performance_id, PERF);
	fx_exec(f->db, "UPDATE ticket SET refunded_at = %lld WHERE code = '%s'",
	    (long long)(T0 + 5), code[1]);
	assert_int_equal(checkin_admit(f->db, &f->a, code[1], PERF, "A",
	    f->user[2], T0 + 10, &c), BO_GONE);
	assert_int_equal(c.refunded_at, T0 + 5);
	/* A well-formed code nobody has. */
	assert_int_equal(checkin_admit(f->db, &f->a,
	    "0000000000000000000000000000", PERF, "A", f->user[2], T0, &c),
	    BO_NOT_FOUND);
	assert_int_equal(c.ticket_id, 0);
	/* One symbol changed: the check symbol catches it, before any
	 * write (SQLite's count of changes stays). */
	memcpy(typo, code[2], sizeof typo);
	typo[3] = typo[3] == '7' ? '8' : '7';
	changes = sqlite3_total_changes64(f->db->handle);
	assert_int_equal(checkin_admit(f->db, &f->a, typo, PERF, "A",
	    f->user[2], T0, &c), BO_INVALID);
	assert_int_equal(c.problem, TICKET_CODE_CHECK);
	assert_int_equal(checkin_admit(f->db, &f->a, "hello", PERF, "A",
	    f->user[2], T0, &c), BO_INVALID);
	assert_int_not_equal(c.problem, TICKET_CODE_OK);
	assert_int_equal(checkin_admit(f->db, &f->a, NULL, PERF, "A",
	    f->user[2], T0, &c), BO_INVALID);
	assert_int_equal(c.problem, TICKET_CODE_EMPTY);
	assert_int_equal(sqlite3_total_changes64(f->db->handle), changes);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM checkin"), 0);
}

static void
the_schema_admits_a_ticket_once(void **state)
{
	struct fx_sale *f = *state;
	struct checkin c;

	assert_int_equal(checkin_admit(f->db, &f->a, code[0], PERF, "A",
	    f->user[2], T0, &c), BO_OK);
	/* Whatever writes it, the PRIMARY KEY (ticket) says no. */
	assert_int_equal(fx_try(f->db, "INSERT INTO checkin(ticket, door, at,"
	    " staff_user) VALUES (%lld, 'X', 1, %lld)", (long long)c.ticket_id,
	    (long long)f->user[2]), SQLITE_CONSTRAINT_PRIMARYKEY);
	assert_int_equal(fx_try(f->db, "UPDATE checkin SET door = 'X'"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "DELETE FROM checkin"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "INSERT INTO checkin(ticket, door, at,"
	    " staff_user) VALUES (%lld, '', 1, %lld)", (long long)c.ticket_id + 1,
	    (long long)f->user[2]), SQLITE_CONSTRAINT_CHECK);
}

static void
door_names(void **state)
{
	(void)state;
	assert_true(checkin_door_ok("B"));
	assert_true(checkin_door_ok("North gate"));
	assert_true(checkin_door_ok("북문"));
	assert_true(checkin_door_ok("1234567890123456789012345678901234567890"));
	assert_false(checkin_door_ok("12345678901234567890123456789012345678901"));
	assert_false(checkin_door_ok(""));
	assert_false(checkin_door_ok("   "));
	assert_false(checkin_door_ok("A\tB"));
	assert_false(checkin_door_ok("\xff"));
	assert_false(checkin_door_ok(NULL));
}

static void
the_door_counts_sold_and_let_in(void **state)
{
	struct fx_sale *f = *state;
	struct door_performance p, *list;
	struct checkin c;
	size_t n;

	assert_int_equal(checkin_admit(f->db, &f->a, code[0], PERF, "A",
	    f->user[2], T0, &c), BO_OK);
	fx_exec(f->db, "UPDATE ticket SET refunded_at = 1 WHERE code = '%s'",
	    code[1]);
	assert_int_equal(checkin_performance(f->db, &f->a, PERF, &p), BO_OK);
	assert_int_equal(p.sold, 2);
	assert_int_equal(p.checked_in, 1);
	assert_int_equal(checkin_performance(f->db, &f->a, 999, &p),
	    BO_NOT_FOUND);
	/* The soonest first. */
	assert_int_equal(checkin_performances(f->db, &f->a, T0, &list, &n),
	    BO_OK);
	assert_true(n >= 2);
	for (size_t i = 1; i < n; i++)
		assert_true(list[i - 1].starts_at <= list[i].starts_at);
}

static void
a_ticket_shows_to_its_owner_and_staff_only(void **state)
{
	struct fx_sale *f = *state;
	struct ticket_view t;
	int64_t id = fx_int(f->db, "SELECT id FROM ticket WHERE code = '%s'",
	    code[0]);

	assert_int_equal(ticket_show(f->db, &f->a, id, f->user[0], &t), BO_OK);
	assert_true(t.own);
	assert_string_equal(t.code, code[0]);
	assert_int_equal(ticket_show(f->db, &f->a, id, f->user[2], &t), BO_OK);
	assert_false(t.own);
	assert_int_equal(ticket_show(f->db, &f->a, id, f->user[1], &t),
	    BO_NOT_FOUND);
	assert_string_equal(t.code, "");
	assert_int_equal(ticket_show(f->db, &f->a, 999999, f->user[0], &t),
	    BO_NOT_FOUND);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fx_sale_teardown)
	const struct CMUnitTest tests[] = {
		T(admitted_once_then_told_when_and_where),
		T(refused_codes_change_nothing),
		T(the_schema_admits_a_ticket_once),
		T(door_names),
		T(the_door_counts_sold_and_let_in),
		T(a_ticket_shows_to_its_owner_and_staff_only),
	};

	return cmocka_run_group_tests(tests, fx_group_setup, NULL);
}
