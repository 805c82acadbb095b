/*
 * test_cache.c — the worker's cache (cgi-bin/cache.c) has one owner and
 * one settings check: what it keeps (the front page's list, the seat
 * grids) is served again while nothing that shapes it moved, and all of
 * it is read afresh once a setting is written, within the same second.
 *
 * A worker is played by hand: one struct app with its cache and a
 * database connection, and a fresh struct req per request, as main.c
 * does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"
#include "catalog.h"
#include "db.h"
#include "fixture.h"
#include "req.h"
#include "seatmap.h"
#include "setting.h"

#define T0 INT64_C(2000000000)

struct fixture {
	struct fx_files files;
	struct db *db;
	struct settings set;
	struct app app;
	struct req r;
	char *seen, *before; /* answers kept by the test */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL || fx_demo_create(&f->files, "cache", T0, &f->db, &f->set,
	    0, NULL) != 0) {
		free(f);
		return -1;
	}
	f->app.db = f->db;
	worker_cache_init(&f->app.cache);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->seen);
	free(f->before);
	arena_free(&f->r.arena);
	worker_cache_free(&f->app.cache);
	fx_db_destroy(&f->files, f->db);
	free(f);
	return 0;
}

/* A new request of the worker at now (its arena reused, as main.c does). */
static struct req *
request(struct fixture *f, int64_t now)
{
	struct arena a = f->r.arena;

	arena_reset(&a);
	memset(&f->r, 0, sizeof f->r);
	f->r.arena = a;
	f->r.app = &f->app;
	f->r.db = f->db;
	f->r.now = now;
	return &f->r;
}

/* The front page's first title, as the worker has it (a copy of ours in
 * f->seen: the cache's own may go at the next request). */
static const char *
first_title(struct fixture *f, int64_t now)
{
	struct concert_summary *list;
	size_t n;

	assert_int_equal(worker_cache_concerts(request(f, now), &list, &n), BO_OK);
	assert_true(n > 0);
	free(f->seen);
	return f->seen = strdup(list[0].title);
}

static void
set(struct fixture *f, enum setting_key k, const char *value)
{
	char err[160];

	assert_int_equal(setting_set(f->db, k, value, &(struct audit_actor){ 0, "cli:test" }, 0, err, sizeof err), BO_OK);
}

static void
the_front_page_list_follows_the_settings_at_once(void **state)
{
	struct fixture *f = *state;
	const char *before = f->before = strdup(first_title(f, T0 + 10));

	fx_exec(f->db, "UPDATE concert SET title = 'Renamed' WHERE title = '%s'",
	    before);
	/* The same second: the list as read (at most a second old). */
	assert_string_equal(first_title(f, T0 + 10), before);
	/* A setting written in that second: read again at once. */
	set(f, SETTING_HOLD_SECONDS, "301");
	assert_string_equal(first_title(f, T0 + 10), "Renamed");

	/* And without a setting, the next second reads again. */
	fx_exec(f->db, "UPDATE concert SET title = 'Again' WHERE title = "
	    "'Renamed'");
	assert_string_equal(first_title(f, T0 + 10), "Renamed");
	assert_string_equal(first_title(f, T0 + 11), "Again");
}

/* The API's seat list of performance 1, as the worker serves it (a copy
 * of ours in f->seen). */
static const char *
seat_list(struct fixture *f, int64_t now)
{
	struct req *r = request(f, now);
	struct performance p;
	struct concert c;
	const struct buf *grid;
	enum bo_status s;

	assert_int_equal(catalog_performance(r->db, &r->arena, 1, now, &c, &p,
	    NULL, NULL), BO_OK);
	grid = seatmap_grid(r, &p, 1, SEATMAP_JSON, &s);
	assert_non_null(grid);
	free(f->seen);
	return f->seen = strndup(grid->data, grid->len);
}

static void
the_seat_grids_follow_the_settings_at_once(void **state)
{
	struct fixture *f = *state;
	const char *before = f->before = strdup(seat_list(f, T0 + 10));

	/* A change no key of the grid sees (by hand, as an operator might):
	 * the grid as rendered … */
	fx_exec(f->db, "UPDATE seat SET section = 'Renamed' WHERE performance_id"
	    " = 1 AND section = 'VIP'");
	assert_string_equal(seat_list(f, T0 + 20), before);
	assert_null(strstr(before, "Renamed"));
	/* … until a setting is written: then every grid is rendered again. */
	set(f, SETTING_MAX_HOLDS, "5");
	assert_non_null(strstr(seat_list(f, T0 + 20), "\"section\":\"Renamed\""));
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(the_front_page_list_follows_the_settings_at_once),
		T(the_seat_grids_follow_the_settings_at_once),
	};
#undef T

	return cmocka_run_group_tests_name("cache", tests, fx_group_setup, NULL);
}
