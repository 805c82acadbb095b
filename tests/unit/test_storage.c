/*
 * test_storage.c — what core/db.c does when storage fails under it.
 *
 * Covers db_status(): a full disk, an I/O error and out of memory are
 * BO_UNAVAILABLE, a constraint is BO_CONFLICT but a refused commit is an
 * error. Covers the commit guard: once SQLite has rolled a write
 * transaction back after an error (as it does for FULL, IOERR, NOMEM), a
 * later write of the same operation fails instead of committing on its
 * own, and db_commit() says BO_ERROR. Covers the renewal of the
 * connection after storage trouble (db_recover): never inside a
 * transaction nor under a running statement.
 * (The failures themselves, through a failing VFS, are in
 * tests/torture/faults.test.mjs.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "db.h"
#include "fixture.h"
#include "setting.h"
#include "sql.h"
#include "wallet.h"

#define T0 INT64_C(1800000000)

struct fixture {
	struct fx_files files;
	struct db *db;
	struct settings set;
	int64_t user[1];
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof f);
	if (fx_demo_create(&f.files, "storage", T0, &f.db, &f.set, 1, f.user) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fx_db_destroy(&f->files, f->db);
	return 0;
}

static void
storage_trouble_is_unavailable(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(db_status(f->db, SQLITE_FULL, "test"), BO_UNAVAILABLE);
	assert_int_equal(db_status(f->db, SQLITE_IOERR_WRITE, "test"), BO_UNAVAILABLE);
	assert_int_equal(db_status(f->db, SQLITE_IOERR_FSYNC, "test"), BO_UNAVAILABLE);
	assert_int_equal(db_status(f->db, SQLITE_NOMEM, "test"), BO_UNAVAILABLE);
	assert_int_equal(db_status(f->db, SQLITE_BUSY, "test"), BO_BUSY);
	assert_int_equal(db_status(f->db, SQLITE_CONSTRAINT_UNIQUE, "test"), BO_CONFLICT);
	assert_int_equal(db_status(f->db, SQLITE_CONSTRAINT_COMMITHOOK, "test"), BO_ERROR);
	assert_int_equal(db_status(f->db, SQLITE_DONE, "test"), BO_OK);
}

static void
no_write_commits_after_the_transaction_was_rolled_back(void **state)
{
	struct fixture *f = *state;
	int64_t balance = -1;

	assert_int_equal(db_begin_write(f->db), BO_OK);
	/* What SQLite does by itself after FULL, IOERR or NOMEM. */
	assert_int_equal(sqlite3_exec(f->db->handle, "ROLLBACK", NULL, NULL,
	    NULL), SQLITE_OK);
	/* The operation goes on: its write must not commit alone. */
	assert_int_not_equal(wallet_move_locked(f->db, f->user[0], LEDGER_CHARGE, 5000, 0,
	    "after-rollback", T0, &balance, NULL), BO_OK);
	assert_int_equal(db_commit(f->db), BO_ERROR);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ledger WHERE "
	    "user_id = %lld", (long long)f->user[0]), 0);
	assert_int_equal(fx_int(f->db, "SELECT balance FROM user WHERE id = %lld",
	    (long long)f->user[0]), 0);
	/* and the next operation is normal */
	assert_int_equal(db_begin_write(f->db), BO_OK);
	assert_int_equal(wallet_move_locked(f->db, f->user[0], LEDGER_CHARGE, 5000, 0,
	    "next", T0, &balance, NULL), BO_OK);
	assert_int_equal(db_commit(f->db), BO_OK);
	assert_int_equal(balance, 5000);
}

static void
the_connection_is_renewed_after_storage_trouble(void **state)
{
	static struct sql q = SQL(1, "SELECT balance FROM user WHERE id = :user");
	struct fixture *f = *state;
	sqlite3 *first = f->db->handle, *second;
	struct sql_stmt *st;

	/* No trouble seen: kept. */
	db_recover(f->db);
	assert_ptr_equal(f->db->handle, first);

	/* Inside a transaction: kept until it ends. */
	assert_int_equal(db_begin_write(f->db), BO_OK);
	assert_int_equal(db_status(f->db, SQLITE_IOERR_WRITE, "test"), BO_UNAVAILABLE);
	db_recover(f->db);
	assert_ptr_equal(f->db->handle, first);
	db_rollback(f->db);
	db_recover(f->db);
	assert_ptr_not_equal(f->db->handle, first);
	second = f->db->handle;

	/* Under a running statement: kept until it is reset. */
	st = sql_prepare(f->db, &q);
	sql_bind_int(st, ":user", f->user[0]);
	assert_int_equal(sql_step(st), SQLITE_ROW);
	assert_int_equal(db_status(f->db, SQLITE_NOMEM, "test"), BO_UNAVAILABLE);
	db_recover(f->db);
	assert_ptr_equal(f->db->handle, second);
	sql_reset(st);
	db_recover(f->db);
	assert_ptr_not_equal(f->db->handle, second);

	/* The fresh connection works, its statements too. */
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM user"), 1);
	assert_int_equal(db_begin_write(f->db), BO_OK);
	st = sql_prepare(f->db, &q);
	sql_bind_int(st, ":user", f->user[0]);
	assert_int_equal(sql_step(st), SQLITE_ROW);
	sql_reset(st);
	assert_int_equal(db_commit(f->db), BO_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(storage_trouble_is_unavailable,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    no_write_commits_after_the_transaction_was_rolled_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    the_connection_is_renewed_after_storage_trouble, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, fx_group_setup, NULL);
}
