/*
 * fixture.h — what the database unit tests share: a fresh, migrated
 * SQLite file in its own mkdtemp folder per test (or one of an older
 * schema version), buyers inserted by raw SQL (no scrypt), small query
 * helpers for SQL the test writes itself, and the group setup; and the
 * sale most of them start from (struct fx_sale: the demo, buyers, known
 * settings) with the steps of a purchase (admit, charge, hold, pay, buy).
 *
 * Include it after <cmocka.h>. A test of a sale uses struct fx_sale as
 * its fixture (fx_sale_new in its setup, fx_sale_teardown); a test that
 * needs another one keeps its own struct fixture built from the calls
 * below.
 *
 * Nothing here allocates on the heap for the caller except the database
 * connection, which fx_db_destroy() closes. The query helpers fail the
 * running test (cmocka) when the SQL does not prepare, does not answer a
 * row or does not run (or is longer than 1,023 bytes once formatted);
 * fx_try() instead returns SQLite's error code when the SQL does not run.
 */
#ifndef BOXOFFICE_TESTS_UNIT_FIXTURE_H
#define BOXOFFICE_TESTS_UNIT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "setting.h"

struct db;

/* One test's mkdtemp folder and the database file in it. */
struct fx_files {
	char dir[64];  /* /tmp/boxoffice-<tag>-XXXXXX */
	char path[96]; /* <dir>/test.db */
};

/*
 * Makes the folder /tmp/boxoffice-<tag>-XXXXXX, creates test.db in it and
 * migrates it to the latest schema. 0 with *db the open connection, or -1
 * with *db NULL and nothing left behind. The caller owns *db and frees it
 * (and removes the files) with fx_db_destroy().
 */
int fx_db_create(struct fx_files *files, const char *tag, struct db **db);

/*
 * As fx_db_create(), but the database is brought only to schema version
 * version (1 to db_schema_latest()) by the embedded migrations, as a
 * database of that version's program would be: for the tests of what a
 * later migration does to the rows an older version wrote. 0, or -1 with
 * *db NULL and nothing left behind; the caller frees *db with
 * fx_db_destroy().
 */
int fx_db_at_version(struct fx_files *files, const char *tag, int version,
    struct db **db);

/*
 * fx_db_create(), then the demo catalogue loaded at now, the settings read
 * into *set and fx_add_buyers(buyers, now, ids). 0, or -1 with *db NULL and
 * nothing left behind. As for fx_db_create(), the caller frees *db with
 * fx_db_destroy().
 */
int fx_demo_create(struct fx_files *files, const char *tag, int64_t now,
    struct db **db, struct settings *set, int buyers, int64_t *ids);

/*
 * Closes db (NULL: nothing to close), then removes test.db and its -wal,
 * -shm and -journal files and the folder. Leaves *files as it was.
 */
void fx_db_destroy(struct fx_files *files, struct db *db);

/*
 * Inserts n buyers, buyer0@example.com .. buyer<n-1>@example.com, created
 * at now with a dummy password hash, and writes their ids into ids[0..n-1]
 * (the caller's array). 0, or -1 when an insert fails.
 */
int fx_add_buyers(struct db *db, int n, int64_t now, int64_t *ids);

/* The group setup of every database test: sodium_init(). 0 or -1. */
int fx_group_setup(void **state);

/*
 * Runs SQL written by the test itself (never input), formatted like
 * printf; fails the test, with SQLite's message, when it does not run.
 */
void fx_exec(struct db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Runs SQL like fx_exec() but does not fail the test: SQLITE_OK when it
 * ran, else SQLite's extended result code (SQLITE_CONSTRAINT_CHECK, ...).
 */
int fx_try(struct db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The integer in the first column of the first row a query answers (NULL
 * reads as 0). Fails the test when the query does not prepare or answers
 * no row.
 */
int64_t fx_int(struct db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The text in the first column of the first row a query answers, copied
 * into the caller's buf of len bytes ("" for NULL; cut to fit). Fails the
 * test as fx_int() does.
 */
void fx_text(struct db *db, char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- a bare database as a test's state ---- */

/* A migrated database with nothing in it, and an arena for the test. */
struct fx_db {
	struct fx_files files;
	struct db *db;
	struct arena a;
};

/* The cmocka setup and teardown of a test whose state is a struct fx_db:
 * a fresh database (/tmp/boxoffice-unit-XXXXXX), migrated, empty; all of
 * it freed and removed by the teardown. */
int fx_db_setup(void **state);
int fx_db_teardown(void **state);

/* ---- a sale: the demo catalogue, buyers, known settings ---- */

/* 2033-05-18 03:33:20 UTC: the sale tests' base time; every demo sale is
 * open. */
#define FX_T0 INT64_C(2000000000)
/* The demo's 1,000-seat hall: concert 1, its first date. */
#define FX_HALL_CONCERT INT64_C(1)
#define FX_HALL_PERF INT64_C(1)
#define FX_USERS_MAX 24
#define FX_SEATS 12

struct fx_sale {
	struct fx_files files;
	struct db *db;
	struct settings set;        /* see fx_sale_new; the test may change it */
	int64_t user[FX_USERS_MAX]; /* buyer0@example.com, buyer1@… */
	int64_t seat[FX_SEATS];     /* the first seats of FX_HALL_PERF, by id */
	struct arena a;             /* the test's own reads */
};

/*
 * A fresh database (/tmp/boxoffice-<tag>-XXXXXX) with the demo loaded at
 * FX_T0 and users buyers (at most FX_USERS_MAX), and settings of known
 * values whatever the defaults become: queue_capacity 100, active_ttl
 * 3600, claim_seconds 120, hold_seconds 300, max_holds 4, max_charge
 * 1,000,000. NULL when it cannot be made (nothing left behind). The
 * caller frees it with fx_sale_free() (or fx_sale_teardown()).
 */
struct fx_sale *fx_sale_new(const char *tag, int users);

/* Frees the arena, closes the database and removes its files; NULL is
 * nothing to free. */
void fx_sale_free(struct fx_sale *f);

/* The cmocka teardown of a test whose state is a struct fx_sale. */
int fx_sale_teardown(void **state);

/*
 * The steps of a purchase, by buyer index b (f->user[b]), each failing the
 * test unless core/ says BO_OK: fx_admit joins concert's line and must be
 * let in at once (ACTIVE; the ticket's id); fx_charge tops the wallet up
 * (key may be NULL; must not be a replay; the balance after); fx_hold
 * holds one seat (the hold's id); fx_pay pays one hold (not paid before;
 * the payment's id).
 */
int64_t fx_admit(struct fx_sale *f, int b, int64_t concert, int64_t now);
int64_t fx_charge(struct fx_sale *f, int b, int64_t amount, const char *key,
    int64_t now);
int64_t fx_hold(struct fx_sale *f, int b, int64_t perf, int64_t seat,
    int64_t now);
int64_t fx_pay(struct fx_sale *f, int b, int64_t hold, int64_t now);

/*
 * Buyer b buys n seats of perf (of concert), its seats first .. first+n-1
 * by id: admitted at now, topped up by f->set.max_charge (so with n 0 the
 * buyer is in with money to spend), every seat held at now, then each paid
 * at now + 1 (all held first: paying the last live hold of a concert ends
 * the turn). The hold ids into holds[0..n-1] when holds is not NULL.
 */
void fx_buy(struct fx_sale *f, int b, int64_t concert, int64_t perf,
    int64_t first, int n, int64_t now, int64_t *holds);

/* The id of performance perf's seat at offset (from 0) in id order. */
int64_t fx_seat(struct fx_sale *f, int64_t perf, int64_t offset);

/* Buyer b's balance as the user row keeps it. */
int64_t fx_balance(struct fx_sale *f, int b);

#endif
