/*
 * fixture.c — the database fixture the unit tests share (see fixture.h):
 * a fresh mkdtemp folder with a migrated test.db per test (or one of an
 * older version), on request the demo, the settings and raw-SQL buyers,
 * query helpers that fail the running cmocka test, the group setup
 * (sodium_init), and the sale with the steps of a purchase through core/.
 *
 * SQL is formatted into a fixed buffer; SQL that does not fit fails the
 * test rather than running cut short.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"
#include "demo.h"
#include "hold.h"
#include "payment.h"
#include "queue.h"
#include "setting.h"
#include "wallet.h"

#include "fixture.h"

#define SQL_MAX 1024

/* ---- files ---- */

static void
remove_files(const struct fx_files *files)
{
	static const char *const suffixes[] = {
		"", "-wal", "-shm", "-journal"
	};
	char p[128];

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(p, sizeof p, "%s%s", files->path, suffixes[i]);
		unlink(p);
	}
	rmdir(files->dir);
}

/* Makes the folder and opens (creates) test.db in it: 0 with *db open,
 * or -1 with *db NULL and nothing left behind. */
static int
open_files(struct fx_files *files, const char *tag, struct db **db)
{
	*db = NULL;
	snprintf(files->dir, sizeof files->dir, "/tmp/boxoffice-%s-XXXXXX",
	    tag);
	if (mkdtemp(files->dir) == NULL)
		return -1;
	snprintf(files->path, sizeof files->path, "%s/test.db", files->dir);
	if ((*db = db_open(files->path, 1)) == NULL) {
		remove_files(files);
		return -1;
	}
	return 0;
}

int
fx_db_create(struct fx_files *files, const char *tag, struct db **db)
{
	if (open_files(files, tag, db) != 0)
		return -1;
	if (db_migrate(*db) != BO_OK) {
		fx_db_destroy(files, *db);
		*db = NULL;
		return -1;
	}
	return 0;
}

/* The migrations as embedded (core/migrations.S), for fx_db_at_version(). */
extern const char schema_001[], schema_002[], schema_003[], schema_004[],
    schema_005[], schema_006[], schema_007[], schema_008[], schema_009[],
    schema_010[], schema_011[], schema_012[], schema_013[], schema_014[],
    schema_015[], schema_016[], schema_017[], schema_018[], schema_019[],
    schema_020[];

int
fx_db_at_version(struct fx_files *files, const char *tag, int version,
    struct db **db)
{
	static const char *const migrations[] = { schema_001, schema_002,
	    schema_003, schema_004, schema_005, schema_006, schema_007,
	    schema_008, schema_009, schema_010, schema_011, schema_012,
	    schema_013, schema_014, schema_015, schema_016, schema_017,
	    schema_018, schema_019, schema_020 };
	char pragma[64];

	assert_true(version >= 1 &&
	    version <= (int)(sizeof migrations / sizeof migrations[0]) &&
	    version <= db_schema_latest());
	if (open_files(files, tag, db) != 0)
		return -1;
	for (int v = 0; v < version; v++)
		if (sqlite3_exec((*db)->handle, migrations[v], NULL, NULL,
		    NULL) != SQLITE_OK)
			goto fail;
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
	if (sqlite3_exec((*db)->handle, pragma, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
fail:
	fx_db_destroy(files, *db);
	*db = NULL;
	return -1;
}

int
fx_demo_create(struct fx_files *files, const char *tag, int64_t now,
    struct db **db, struct settings *set, int buyers, int64_t *ids)
{
	if (fx_db_create(files, tag, db) != 0)
		return -1;
	if (demo_load(*db, now) != BO_OK || settings_load(*db, set) != BO_OK ||
	    fx_add_buyers(*db, buyers, now, ids) != 0) {
		fx_db_destroy(files, *db);
		*db = NULL;
		return -1;
	}
	return 0;
}

void
fx_db_destroy(struct fx_files *files, struct db *db)
{
	if (db != NULL)
		db_close(db);
	remove_files(files);
}

int
fx_add_buyers(struct db *db, int n, int64_t now, int64_t *ids)
{
	for (int i = 0; i < n; i++) {
		if (fx_try(db, "INSERT INTO user(email, pw_hash, created_at)"
		    " VALUES ('buyer%d@example.com', 'x', %lld)", i,
		    (long long)now) != SQLITE_OK)
			return -1;
		ids[i] = sqlite3_last_insert_rowid(db->handle);
	}
	return 0;
}

int
fx_group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* ---- SQL written by the test ---- */

/* Formats fmt into sql[SQL_MAX]; fails the test when it does not fit. */
static void
format_sql(char *sql, const char *fmt, va_list ap)
{
	int n = vsnprintf(sql, SQL_MAX, fmt, ap);

	if (n < 0 || n >= SQL_MAX)
		fail_msg("SQL too long for the fixture: %.60s...", sql);
}

/* Runs the formatted SQL: SQLITE_OK, or SQLite's extended result code.
 * When must is set, a failure fails the test instead, with the message. */
static int
run(struct db *db, int must, const char *fmt, va_list ap)
{
	char sql[SQL_MAX], *err = NULL;

	format_sql(sql, fmt, ap);
	if (sqlite3_exec(db->handle, sql, NULL, NULL, &err) == SQLITE_OK)
		return SQLITE_OK;
	if (must) {
		print_error("%s: %s\n", sql, err ? err : "?");
		sqlite3_free(err);
		fail();
	}
	sqlite3_free(err);
	return sqlite3_extended_errcode(db->handle);
}

/* The formatted query, prepared and stepped onto its first row. The
 * caller finalizes it. */
static sqlite3_stmt *
first_row(struct db *db, const char *fmt, va_list ap)
{
	char sql[SQL_MAX];
	sqlite3_stmt *st;
	int rc;

	format_sql(sql, fmt, ap);
	if (sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db->handle));
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		fail_msg("%s: no row (step %d: %s)", sql, rc,
		    sqlite3_errmsg(db->handle));
	}
	return st;
}

void
fx_exec(struct db *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run(db, 1, fmt, ap);
	va_end(ap);
}

int
fx_try(struct db *db, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = run(db, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int64_t
fx_int(struct db *db, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int64_t v;

	va_start(ap, fmt);
	st = first_row(db, fmt, ap);
	va_end(ap);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void
fx_text(struct db *db, char *buf, size_t len, const char *fmt, ...)
{
	const unsigned char *s;
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = first_row(db, fmt, ap);
	va_end(ap);
	s = sqlite3_column_text(st, 0);
	snprintf(buf, len, "%s", s ? (const char *)s : "");
	sqlite3_finalize(st);
}

/* ---- a bare database as a test's state ---- */

int
fx_db_setup(void **state)
{
	struct fx_db *f = calloc(1, sizeof *f);

	if (f == NULL || fx_db_create(&f->files, "unit", &f->db) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int
fx_db_teardown(void **state)
{
	struct fx_db *f = *state;

	arena_free(&f->a);
	fx_db_destroy(&f->files, f->db);
	free(f);
	return 0;
}

/* ---- a sale ---- */

struct fx_sale *
fx_sale_new(const char *tag, int users)
{
	struct fx_sale *f = calloc(1, sizeof *f);

	assert_true(users >= 0 && users <= FX_USERS_MAX);
	if (f == NULL)
		return NULL;
	if (fx_demo_create(&f->files, tag, FX_T0, &f->db, &f->set, users,
	    f->user) != 0) {
		free(f);
		return NULL;
	}
	f->set.queue_capacity = 100;
	f->set.active_ttl = 3600;
	f->set.claim_seconds = 120;
	f->set.hold_seconds = 300;
	f->set.max_holds = 4;
	f->set.max_charge = INT64_C(1000000);
	for (int i = 0; i < FX_SEATS; i++)
		f->seat[i] = fx_seat(f, FX_HALL_PERF, i);
	return f;
}

void
fx_sale_free(struct fx_sale *f)
{
	if (f == NULL)
		return;
	arena_free(&f->a);
	fx_db_destroy(&f->files, f->db);
	free(f);
}

int
fx_sale_teardown(void **state)
{
	fx_sale_free(*state);
	return 0;
}

int64_t
fx_admit(struct fx_sale *f, int b, int64_t concert, int64_t now)
{
	struct queue_view v;

	assert_int_equal(queue_join(f->db, concert, f->user[b], now, &f->set,
	    &v), BO_OK);
	assert_int_equal(v.state, Q_ACTIVE);
	return v.ticket_id;
}

int64_t
fx_charge(struct fx_sale *f, int b, int64_t amount, const char *key,
    int64_t now)
{
	int64_t balance = -1;
	int replayed = -1;

	assert_int_equal(wallet_charge(f->db, f->user[b], amount,
	    f->set.max_charge, key, now, &balance, &replayed), BO_OK);
	assert_int_equal(replayed, 0);
	return balance;
}

int64_t
fx_hold(struct fx_sale *f, int b, int64_t perf, int64_t seat, int64_t now)
{
	int64_t id = 0;

	assert_int_equal(hold_create(f->db, perf, seat, f->user[b], now,
	    &f->set, NULL, &id), BO_OK);
	assert_true(id > 0);
	return id;
}

int64_t
fx_pay(struct fx_sale *f, int b, int64_t hold, int64_t now)
{
	int64_t pid = 0;
	int already = -1;

	assert_int_equal(payment_pay(f->db, hold, f->user[b], now, NULL, &pid,
	    &already), BO_OK);
	assert_int_equal(already, 0);
	assert_true(pid > 0);
	return pid;
}

void
fx_buy(struct fx_sale *f, int b, int64_t concert, int64_t perf,
    int64_t first, int n, int64_t now, int64_t *holds)
{
	/* In the arena: a failed assert jumps out, leaking nothing. */
	int64_t *hold = arena_alloc(&f->a, ((size_t)n + 1) * sizeof *hold);

	fx_admit(f, b, concert, now);
	fx_charge(f, b, f->set.max_charge, NULL, now);
	for (int i = 0; i < n; i++)
		hold[i] = fx_hold(f, b, perf, fx_seat(f, perf, first + i), now);
	for (int i = 0; i < n; i++) {
		fx_pay(f, b, hold[i], now + 1);
		if (holds != NULL)
			holds[i] = hold[i];
	}
}

int64_t
fx_seat(struct fx_sale *f, int64_t perf, int64_t offset)
{
	return fx_int(f->db, "SELECT id FROM seat WHERE performance_id = %lld"
	    " ORDER BY id LIMIT 1 OFFSET %lld", (long long)perf,
	    (long long)offset);
}

int64_t
fx_balance(struct fx_sale *f, int b)
{
	return fx_int(f->db, "SELECT balance FROM user WHERE id = %lld",
	    (long long)f->user[b]);
}
