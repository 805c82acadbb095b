/*
 * test_operator.c — the operator's foundations against a real SQLite file:
 * roles (core/role.c), the audit trail (core/audit.c) and the tickets the
 * schema gives every paid seat (011_operator.sql), with the demo
 * catalogue loaded and the clock explicit.
 *
 * Covers: grant/revoke answers and the inclusion operator ⊇ staff; every
 * grant, revoke and setting change writes one audit row naming its actor
 * and what changed, and nothing is written when nothing changes; the
 * audit trail refuses updates and deletes; a paid seat has exactly one
 * ticket with a well-formed, checked code, made whichever way the hold
 * became PAID; tickets change only once (refunded_at) and are never
 * deleted; 200 paid seats have 200 distinct codes; a database of the
 * version before tickets gets one per paid seat when migrated; migration
 * 020 keeps the trail's rows and triggers and lets it record a restore.
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
#include <unistd.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "role.h"
#include "setting.h"
#include "ticket_code.h"

#include "fixture.h"

#define T0 FX_T0 /* demo sales are open */
#define HALL_CONCERT FX_HALL_CONCERT
#define PERF FX_HALL_PERF /* the 1,000-seat hall */
#define BUYERS 4

/* The sale of fixture.h; a buyer may hold and pay hundreds of seats. */
static int
setup(void **state)
{
	struct fx_sale *f = fx_sale_new("operator", BUYERS);

	if (f == NULL)
		return -1;
	f->set.max_holds = 1000;
	f->set.max_charge = INT64_C(1000000000);
	*state = f;
	return 0;
}

static const struct audit_actor cli = { 0, "cli:test" };

static void
roles_grant_revoke_and_include(void **state)
{
	struct fx_sale *f = *state;
	int yes = -1;

	assert_int_equal(role_check(f->db, f->user[0], ROLE_STAFF, &yes), BO_OK);
	assert_int_equal(yes, 0);
	assert_int_equal(role_grant(f->db, "buyer0@example.com", ROLE_OPERATOR,
	    &cli, T0), BO_OK);
	/* operator includes staff; staff does not include operator */
	assert_int_equal(role_check(f->db, f->user[0], ROLE_STAFF, &yes), BO_OK);
	assert_int_equal(yes, 1);
	assert_int_equal(role_grant(f->db, "buyer1@example.com", ROLE_STAFF,
	    &cli, T0), BO_OK);
	assert_int_equal(role_check(f->db, f->user[1], ROLE_OPERATOR, &yes),
	    BO_OK);
	assert_int_equal(yes, 0);
	assert_int_equal(role_check(f->db, f->user[1], ROLE_STAFF, &yes), BO_OK);
	assert_int_equal(yes, 1);
	/* nothing to do, no such account: nothing written */
	assert_int_equal(role_grant(f->db, "buyer1@example.com", ROLE_STAFF,
	    &cli, T0), BO_CONFLICT);
	assert_int_equal(role_revoke(f->db, "buyer2@example.com", ROLE_STAFF,
	    &cli, T0), BO_CONFLICT);
	assert_int_equal(role_grant(f->db, "nobody@example.com", ROLE_STAFF,
	    &cli, T0), BO_NOT_FOUND);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM audit"), 2);
	assert_int_equal(role_revoke(f->db, "buyer0@example.com", ROLE_OPERATOR,
	    &cli, T0 + 1), BO_OK);
	assert_int_equal(role_check(f->db, f->user[0], ROLE_STAFF, &yes), BO_OK);
	assert_int_equal(yes, 0);
}

static void
audit_rows_name_actor_and_change(void **state)
{
	struct fx_sale *f = *state;
	struct audit_actor op = { f->user[3], NULL };
	struct arena a = ARENA_INIT;
	struct audit_entry *e;
	char err[256];
	size_t n;

	assert_int_equal(role_grant(f->db, "buyer1@example.com", ROLE_STAFF,
	    &cli, T0), BO_OK);
	assert_int_equal(setting_set(f->db, SETTING_HOLD_SECONDS, "420", &op,
	    T0 + 5, err, sizeof err), BO_OK);
	/* a refused value changes nothing and is not audited */
	assert_int_equal(setting_set(f->db, SETTING_HOLD_SECONDS, "-1", &op,
	    T0 + 6, err, sizeof err), BO_INVALID);
	assert_int_equal(audit_list(f->db, &a, 0, 10, &e, &n), BO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].action, "setting");
	assert_string_equal(e[0].actor, "buyer3@example.com");
	assert_string_equal(e[0].subject, "setting hold_seconds");
	assert_string_equal(e[0].before, "300");
	assert_string_equal(e[0].after, "420");
	assert_int_equal(e[0].at, T0 + 5);
	assert_string_equal(e[1].action, "grant");
	assert_string_equal(e[1].actor, "cli:test");
	assert_string_equal(e[1].subject, "account buyer1@example.com");
	assert_string_equal(e[1].after, "staff");
	/* keyset: older than the newest */
	assert_int_equal(audit_list(f->db, &a, e[0].id, 10, &e, &n), BO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].action, "grant");
	/* append-only: the schema refuses any change */
	assert_int_equal(fx_try(f->db, "UPDATE audit SET after = 'x'"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "DELETE FROM audit"),
	    SQLITE_CONSTRAINT_TRIGGER);
	/* one actor, exactly */
	assert_int_equal(fx_try(f->db, "INSERT INTO audit(at, actor_user,"
	    " actor_system, action, subject) VALUES (1, %lld, 'cli:x', 'grant',"
	    " 's')", (long long)f->user[0]), SQLITE_CONSTRAINT_CHECK);
	assert_int_equal(fx_try(f->db, "INSERT INTO audit(at, action, subject)"
	    " VALUES (1, 'grant', 's')"), SQLITE_CONSTRAINT_CHECK);
	arena_free(&a);
}

static void
paid_seats_get_one_good_ticket_each(void **state)
{
	struct fx_sale *f = *state;
	char code[64], canon[TICKET_CODE_SIZE];

	fx_buy(f, 0, HALL_CONCERT, PERF, 0, 150, T0, NULL);
	fx_buy(f, 1, HALL_CONCERT, PERF, 150, 50, T0, NULL);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ticket"), 200);
	assert_int_equal(fx_int(f->db, "SELECT count(DISTINCT code) FROM ticket"),
	    200);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold h"
	    " WHERE h.state = 'PAID' AND NOT EXISTS (SELECT 1 FROM ticket t"
	    " WHERE t.hold_id = h.id AND t.performance_id = h.performance_id)"),
	    0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ticket"
	    " WHERE created_at <> %lld", (long long)(T0 + 1)), 0);
	fx_text(f->db, code, sizeof code, "SELECT code FROM ticket LIMIT 1");
	assert_int_equal(ticket_code_parse(code, canon), TICKET_CODE_OK);
	assert_string_equal(canon, code);
	/* a hold made PAID by any statement gets its ticket */
	fx_exec(f->db, "INSERT INTO hold(seat_id, performance_id, user_id,"
	    " state, price, created_at, expires_at) SELECT id, performance_id,"
	    " %lld, 'HELD', price, 1, %lld FROM seat WHERE performance_id = %lld"
	    " ORDER BY id LIMIT 1 OFFSET 300", (long long)f->user[2],
	    (long long)(T0 + 300), (long long)PERF);
	/* (with its payment: 014 makes a paid hold name one) */
	assert_int_equal(fx_try(f->db, "UPDATE hold SET state = 'PAID' WHERE id"
	    " = (SELECT max(id) FROM hold)"), SQLITE_CONSTRAINT_TRIGGER);
	fx_exec(f->db, "INSERT INTO payment(user_id, amount, created_at)"
	    " VALUES (%lld, 0, 1)", (long long)f->user[2]);
	fx_exec(f->db, "UPDATE hold SET state = 'PAID', payment_id ="
	    " (SELECT max(id) FROM payment) WHERE id = (SELECT max(id) FROM hold)");
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ticket"), 201);
}

static void
tickets_change_once_and_stay(void **state)
{
	struct fx_sale *f = *state;

	fx_buy(f, 0, HALL_CONCERT, PERF, 0, 2, T0, NULL);
	assert_int_equal(fx_try(f->db, "UPDATE ticket SET code = 'X'"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "DELETE FROM ticket"),
	    SQLITE_CONSTRAINT_TRIGGER);
	fx_exec(f->db, "UPDATE ticket SET refunded_at = 5 WHERE id = 1");
	assert_int_equal(fx_try(f->db, "UPDATE ticket SET refunded_at = 6"
	    " WHERE id = 1"), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(f->db, "UPDATE ticket SET refunded_at = NULL"
	    " WHERE id = 1"), SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ticket"
	    " WHERE refunded_at IS NOT NULL"), 1);
}

/* A database of the version before tickets, with two paid seats and one
 * held, migrated: the paid seats get tickets, dated by their payment. */
static void
migration_gives_paid_seats_tickets(void **state)
{
	struct fx_files files;
	struct db *db;

	(void)state;
	assert_int_equal(fx_db_at_version(&files, "mig", 10, &db), 0);
	fx_exec(db, "INSERT INTO user(id, email, pw_hash, created_at)"
	    " VALUES (1, 'a@example.com', 'x', 1)");
	fx_exec(db, "INSERT INTO concert(id, title, artist, venue)"
	    " VALUES (1, 'T', 'A', 'V')");
	fx_exec(db, "INSERT INTO performance(id, concert_id, starts_at,"
	    " sale_opens_at, sale_closes_at) VALUES (1, 1, 300, 100, 200)");
	for (int i = 1; i <= 3; i++)
		fx_exec(db, "INSERT INTO seat(id, performance_id, section,"
		    " row_label, number, price) VALUES (%d, 1, 'R', 'A', %d, 10)",
		    i, i);
	fx_exec(db, "INSERT INTO hold(id, seat_id, performance_id, user_id,"
	    " state, price, created_at, expires_at) VALUES"
	    " (1, 1, 1, 1, 'PAID', 10, 150, 450),"
	    " (2, 2, 1, 1, 'PAID', 10, 151, 451),"
	    " (3, 3, 1, 1, 'HELD', 10, 152, 452)");
	fx_exec(db, "INSERT INTO payment(hold_id, user_id, amount, created_at)"
	    " VALUES (1, 1, 10, 160), (2, 1, 10, 161)");
	assert_int_equal(db_migrate(db), BO_OK);
	assert_int_equal(db_schema_version(db), db_schema_latest());
	assert_int_equal(fx_int(db, "SELECT count(*) FROM ticket"), 2);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM ticket"
	    " WHERE hold_id = 1 AND created_at = 160"), 1);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM ticket"
	    " WHERE hold_id = 2 AND created_at = 161"), 1);
	assert_int_equal(fx_int(db, "SELECT count(DISTINCT code) FROM ticket"),
	    2);
	fx_db_destroy(&files, db);
}

/* A database of the version before 020, with audit rows, migrated: the
 * rows kept with their ids, the trail still append-only, and every action
 * of audit.h's closed set (restore among them) accepted by the schema. */
static void
migration_lets_the_trail_record_a_restore(void **state)
{
	static const struct audit_actor root = { 0, "cli:root" };
	struct fx_files files;
	struct db *db;

	(void)state;
	assert_int_equal(fx_db_at_version(&files, "mig20", 19, &db), 0);
	fx_exec(db, "INSERT INTO audit(id, at, actor_system, action, subject,"
	    " before, after) VALUES (4, 10, 'cli:a', 'setting',"
	    " 'setting hold_seconds', '300', '420'),"
	    " (9, 11, 'cli:a', 'grant', 'account x@example.com', NULL,"
	    " 'staff')");
	assert_int_equal(fx_try(db, "INSERT INTO audit(at, actor_system,"
	    " action, subject) VALUES (12, 'cli:a', 'restore', 'database')"),
	    SQLITE_CONSTRAINT_CHECK);
	assert_int_equal(db_migrate(db), BO_OK);
	assert_int_equal(db_schema_version(db), db_schema_latest());
	assert_int_equal(fx_int(db, "SELECT group_concat(id || ':' || action"
	    " || ':' || coalesce(before, '-'), ',') = '4:setting:300,"
	    "9:grant:-' FROM (SELECT * FROM audit ORDER BY id)"), 1);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM sqlite_schema WHERE"
	    " name IN ('audit_new')"), 0);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM sqlite_schema WHERE"
	    " name IN ('audit_at', 'audit_is_append_only_u',"
	    " 'audit_is_append_only_d')"), 3);
	assert_int_equal(fx_try(db, "UPDATE audit SET at = 1 WHERE id = 4"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(db, "DELETE FROM audit"),
	    SQLITE_CONSTRAINT_TRIGGER);
	assert_int_equal(fx_try(db, "INSERT INTO audit(at, actor_system,"
	    " action, subject) VALUES (12, 'cli:a', 'undo', 'database')"),
	    SQLITE_CONSTRAINT_CHECK);
	for (int a = 0; a < AUDIT__MAX; a++) {
		assert_int_equal(db_begin_write(db), BO_OK);
		assert_int_equal(audit_write_locked(db, &root,
		    (enum audit_action)a, "subject", NULL, NULL, 20 + a), BO_OK);
		assert_int_equal(db_commit(db), BO_OK);
	}
	assert_int_equal(fx_int(db, "SELECT count(*) FROM audit"),
	    2 + AUDIT__MAX);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM audit"
	    " WHERE action = 'restore'"), 1);
	fx_db_destroy(&files, db);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fx_sale_teardown)
	const struct CMUnitTest tests[] = {
		T(roles_grant_revoke_and_include),
		T(audit_rows_name_actor_and_change),
		T(paid_seats_get_one_good_ticket_each),
		T(tickets_change_once_and_stay),
		cmocka_unit_test(migration_gives_paid_seats_tickets),
		cmocka_unit_test(migration_lets_the_trail_record_a_restore),
	};

	return cmocka_run_group_tests(tests, fx_group_setup, NULL);
}
