/*
 * test_http_status.c — the status table: every status has its number,
 * reason phrase, page title and error code, and the numbers map back.
 * (The bug this prevents: "HTTP/1.1 204 Internal Server Error", a status
 * whose reason came from a switch that did not know it.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http_status.h"

static void
every_status_is_whole(void **state)
{
	(void)state;
	for (int s = 0; s < HTTP__MAX; s++) {
		int code = http_code((enum http_status)s);

		assert_in_range(code, 200, 599);
		assert_true(strlen(http_reason((enum http_status)s)) > 1);
		assert_true(strlen(http_title((enum http_status)s)) > 1);
		assert_true(strlen(http_error_code((enum http_status)s)) > 1);
		assert_int_equal(http_from_code(code), s);
	}
	assert_int_equal(http_from_code(299), HTTP__MAX);
}

static void
the_reasons_are_the_standard_ones(void **state)
{
	(void)state;
	assert_string_equal(http_reason(HTTP_204), "No Content");
	assert_string_equal(http_reason(HTTP_303), "See Other");
	assert_string_equal(http_reason(HTTP_422), "Unprocessable Content");
	assert_string_equal(http_reason(HTTP_503), "Service Unavailable");
	assert_true(http_ok(HTTP_204) && http_ok(HTTP_303));
	assert_false(http_ok(HTTP_409));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_status_is_whole),
		cmocka_unit_test(the_reasons_are_the_standard_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
