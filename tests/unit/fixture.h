/*
 * fixture.h — what the database unit tests (test_core, test_queue,
 * test_money) share: a fresh, migrated SQLite file in its own mkdtemp
 * folder per test, buyers inserted by raw SQL (no scrypt), small query
 * helpers for SQL the test writes itself, and the group setup.
 *
 * Include it after <cmocka.h>. Each test file keeps its own struct fixture
 * (a struct fx_files, a struct db * and whatever else it needs) and its own
 * setup/teardown built from these calls.
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

struct db;
struct settings;

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

#endif
