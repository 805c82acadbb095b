/*
 * test_sql.c — the statement helpers of core/sql.c: a statement is
 * prepared once per connection, bound and read by name, and an edit that
 * misaligns the C and the SQL fails loudly the first time it runs.
 *
 * The loud failures are aborts: each is provoked in a forked child and the
 * parent checks that the child died of SIGABRT.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "fixture.h"
#include "sql.h"

struct fixture {
	struct fx_files files;
	struct db *db;
};

static int
setup(void **state)
{
	static struct fixture f;

	if (fx_db_create(&f.files, "sql", &f.db) != 0)
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

/* Runs fn(db) in a child; 1 when the child aborted. */
static int
aborts(struct db *db, void (*fn)(struct db *))
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		/* The child's message is expected; keep the output clean. */
		freopen("/dev/null", "w", stderr);
		fn(db);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static struct sql q_pair = SQL(2, "SELECT :a + 1, :b || 'x'");

static void
a_statement_is_bound_and_read_by_name(void **state)
{
	struct fixture *f = *state;
	enum { PAIR_A, PAIR_B, PAIR__COLS };
	struct sql_stmt *st = sql_prepare(f->db, &q_pair);

	assert_int_equal(PAIR__COLS, 2);
	sql_bind_int(st, ":a", 41);
	sql_bind_text(st, ":b", "y");
	assert_int_equal(sql_step(st), SQLITE_ROW);
	assert_int_equal(sql_int(st, PAIR_A), 42);
	assert_string_equal(sql_text(st, PAIR_B), "yx");
	sql_reset(st);
	/* Prepared once: the same statement comes back. */
	assert_ptr_equal(sql_prepare(f->db, &q_pair), st);
}

static void
each_connection_prepares_its_own(void **state)
{
	struct fixture *f = *state;
	struct db *other = db_open(f->files.path, 0);
	struct sql_stmt *a, *b;
	int64_t v = 0;

	assert_non_null(other);
	a = sql_prepare(f->db, &q_pair);
	b = sql_prepare(other, &q_pair);
	assert_ptr_not_equal(a, b);
	/* Closing one connection leaves the other's statement working. */
	db_close(other);
	sql_bind_int(a, ":a", 1);
	sql_bind_null(a, ":b");
	assert_int_equal(sql_one_int(f->db, a, &v), BO_OK);
	assert_int_equal(v, 2);
}

static void bind_unknown(struct db *db)
{
	struct sql_stmt *st = sql_prepare(db, &q_pair);

	sql_bind_int(st, ":c", 1); /* a misspelt name */
}

static void step_unbound(struct db *db)
{
	struct sql_stmt *st = sql_prepare(db, &q_pair);

	sql_bind_int(st, ":a", 1); /* :b forgotten */
	sql_step(st);
}

static struct sql q_three = SQL(2, "SELECT 1, 2, 3");

static void columns_misaligned(struct db *db)
{
	sql_prepare(db, &q_three);
}

static struct sql q_broken = SQL(0, "SELEC 1");

static void sql_broken(struct db *db)
{
	sql_prepare(db, &q_broken);
}

static void
a_misaligned_edit_fails_loudly(void **state)
{
	struct fixture *f = *state;

	assert_true(aborts(f->db, bind_unknown));
	assert_true(aborts(f->db, step_unbound));
	assert_true(aborts(f->db, columns_misaligned));
	assert_true(aborts(f->db, sql_broken));
}

static void
run_and_end_commit_or_roll_back(void **state)
{
	struct fixture *f = *state;
	static struct sql make = SQL(0, "CREATE TABLE IF NOT EXISTS t(x INTEGER)");
	static struct sql put = SQL(0, "INSERT INTO t(x) VALUES (:x)");
	static struct sql count = SQL(1, "SELECT count(*) FROM t");
	struct sql_stmt *st;
	int64_t changes = 0, n = -1;

	assert_int_equal(sql_run(f->db, sql_prepare(f->db, &make), NULL), BO_OK);
	/* A failed step ends in a rollback: nothing of it stays. */
	assert_int_equal(db_begin_write(f->db), BO_OK);
	st = sql_prepare(f->db, &put);
	sql_bind_int(st, ":x", 7);
	assert_int_equal(sql_run(f->db, st, &changes), BO_OK);
	assert_int_equal(changes, 1);
	assert_int_equal(sql_end(f->db, BO_CONFLICT), BO_CONFLICT);
	assert_int_equal(sql_one_int(f->db, sql_prepare(f->db, &count), &n), BO_OK);
	assert_int_equal(n, 0);
	/* And BO_OK commits. */
	assert_int_equal(db_begin_write(f->db), BO_OK);
	sql_bind_int(st, ":x", 8);
	assert_int_equal(sql_run(f->db, st, NULL), BO_OK);
	assert_int_equal(sql_end(f->db, BO_OK), BO_OK);
	assert_int_equal(sql_one_int(f->db, sql_prepare(f->db, &count), &n), BO_OK);
	assert_int_equal(n, 1);
}

/* An INSERT … RETURNING hands out its row before its end; a write that
 * may not commit (SQLite rolled the transaction back after an error, so
 * it would commit on its own: db.c's commit guard refuses it) fails only
 * there. sql_one_int must say so, not give the id of a row not kept. */
static void
a_refused_returning_write_gives_no_id(void **state)
{
	struct fixture *f = *state;
	static struct sql make = SQL(0, "CREATE TABLE IF NOT EXISTS t(x INTEGER)");
	static struct sql put = SQL(1, "INSERT INTO t(x) VALUES (:x) RETURNING x");
	static struct sql count = SQL(1, "SELECT count(*) FROM t");
	struct sql_stmt *st;
	int64_t v = -1, n = -1;

	assert_int_equal(sql_run(f->db, sql_prepare(f->db, &make), NULL), BO_OK);
	assert_int_equal(db_begin_write(f->db), BO_OK);
	/* What SQLite does by itself after FULL, IOERR or NOMEM. */
	assert_int_equal(sqlite3_exec(f->db->handle, "ROLLBACK", NULL, NULL,
	    NULL), SQLITE_OK);
	st = sql_prepare(f->db, &put);
	sql_bind_int(st, ":x", 7);
	assert_int_equal(sql_one_int(f->db, st, &v), BO_ERROR);
	assert_int_equal(v, -1);
	assert_int_equal(db_commit(f->db), BO_ERROR);
	assert_int_equal(sql_one_int(f->db, sql_prepare(f->db, &count), &n), BO_OK);
	assert_int_equal(n, 0);
	/* Inside a live transaction the same statement gives its id. */
	assert_int_equal(db_begin_write(f->db), BO_OK);
	sql_bind_int(st, ":x", 8);
	assert_int_equal(sql_one_int(f->db, st, &v), BO_OK);
	assert_int_equal(v, 8);
	assert_int_equal(sql_end(f->db, BO_OK), BO_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_statement_is_bound_and_read_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(each_connection_prepares_its_own, setup, teardown),
		cmocka_unit_test_setup_teardown(a_misaligned_edit_fails_loudly, setup, teardown),
		cmocka_unit_test_setup_teardown(run_and_end_commit_or_roll_back, setup, teardown),
		cmocka_unit_test_setup_teardown(a_refused_returning_write_gives_no_id, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
