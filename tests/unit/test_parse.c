/*
 * test_parse.c — parsing untrusted text.
 *
 * Covers parse_int64() (core/parse.h): plain decimals within a range, and
 * the refusal of signs, spaces, leading zeros, hex, exponents, fractions
 * and overflow. Covers cgi-bin/params.h: urlencoded decoding (+, %XX,
 * empty pairs, missing '=', first value wins), its refusals (broken
 * escapes, NUL and control bytes, too many fields, over-long names and
 * values) and Cookie header splitting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "params.h"
#include "parse.h"

#define SENTINEL INT64_C(424242)

/* ---- parse_int64 ---- */

static void
accepts(const char *s, int64_t min, int64_t max, int64_t want)
{
	int64_t v = SENTINEL;

	if (!parse_int64(s, min, max, &v) || v != want) {
		print_error("parse_int64(\"%s\", %lld, %lld) gave %lld, want %lld\n",
		    s, (long long)min, (long long)max, (long long)v,
		    (long long)want);
		fail();
	}
}

static void
refuses(const char *s, int64_t min, int64_t max)
{
	int64_t v = SENTINEL;

	if (parse_int64(s, min, max, &v) || v != SENTINEL) {
		print_error("parse_int64(\"%s\", %lld, %lld) accepted it as %lld\n",
		    s, (long long)min, (long long)max, (long long)v);
		fail();
	}
}

static void
int64_accepts_plain_decimals(void **state)
{
	(void)state;
	accepts("0", INT64_MIN, INT64_MAX, 0);
	accepts("5", INT64_MIN, INT64_MAX, 5);
	accepts("-1", INT64_MIN, INT64_MAX, -1);
	accepts("1000000", 0, 1000000, 1000000);
	accepts("9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX);
	accepts("-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN);
}

static void
int64_range_is_inclusive(void **state)
{
	(void)state;
	accepts("10", 10, 20, 10);
	accepts("20", 10, 20, 20);
	accepts("-3", -3, 3, -3);
	refuses("9", 10, 20);
	refuses("21", 10, 20);
	refuses("-4", -3, 3);
	refuses("-1", 0, 100);
	refuses("0", 1, 100);
	refuses("9223372036854775807", INT64_MIN, INT64_MAX - 1);
}

static void
int64_refuses_malformed(void **state)
{
	static const char *const bad[] = {
		"", "-", "--1", "+5", " 5", "5 ", "\t5", "5\n", "1e3", "0x10",
		"010", "05", "-05", "00", "1.5", "1,000", "5a", "a5", "٣",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refuses(bad[i], INT64_MIN, INT64_MAX);
	refuses(NULL, INT64_MIN, INT64_MAX);
}

static void
int64_refuses_overflow(void **state)
{
	(void)state;
	refuses("9223372036854775808", INT64_MIN, INT64_MAX);
	refuses("-9223372036854775809", INT64_MIN, INT64_MAX);
	refuses("99999999999999999999", INT64_MIN, INT64_MAX);
	refuses("-99999999999999999999", INT64_MIN, INT64_MAX);
}

/* ---- params: a fixture holding the arena ---- */

static int
arena_setup(void **state)
{
	struct arena *a = xmalloc(sizeof *a);

	*a = (struct arena)ARENA_INIT;
	*state = a;
	return 0;
}

static int
arena_teardown(void **state)
{
	arena_free(*state);
	free(*state);
	return 0;
}

/* Parses the NUL-terminated s, which must decode. */
static void
parse_ok(void **state, const char *s, struct params *p)
{
	enum params_error e = params_parse_urlencoded(*state, s, strlen(s), p);

	if (e != PARAMS_OK) {
		print_error("\"%s\": %s\n", s, params_error_text(e));
		fail();
	}
}

/* Parses s[0..len) expecting error want. */
static void
parse_fails(void **state, const char *s, size_t len, enum params_error want)
{
	struct params p;
	enum params_error e = params_parse_urlencoded(*state, s, len, &p);

	if (e != want) {
		print_error("\"%.*s\": got %d (%s), want %d (%s)\n", (int)len, s,
		    (int)e, params_error_text(e), (int)want,
		    params_error_text(want));
		fail();
	}
}

static void
refused(void **state, const char *s, enum params_error want)
{
	parse_fails(state, s, strlen(s), want);
}

/* head followed by n copies of unit, in the arena. */
static char *
repeat(void **state, const char *head, const char *unit, size_t n)
{
	size_t hl = strlen(head), ul = strlen(unit);
	char *s = arena_alloc(*state, hl + ul * n + 1);

	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	return s;
}

static void
params_decodes_plus_and_escapes(void **state)
{
	struct params p;

	parse_ok(state, "a=1&b=hello+world&c=%41%42%2b%2F%3d%26", &p);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.items[0].name, "a");
	assert_string_equal(params_get(&p, "a"), "1");
	assert_string_equal(params_get(&p, "b"), "hello world");
	assert_string_equal(params_get(&p, "c"), "AB+/=&");

	parse_ok(state, "na%6De=caf%c3%A9&x=a%2Bb+c", &p);
	assert_string_equal(params_get(&p, "name"), "caf\xc3\xa9");
	assert_string_equal(params_get(&p, "x"), "a+b c");

	/* Tab, CR and LF are kept for textareas. */
	parse_ok(state, "t=a%09b%0D%0Ac", &p);
	assert_string_equal(params_get(&p, "t"), "a\tb\r\nc");
}

static void
params_empty_pairs_and_missing_equals(void **state)
{
	struct params p;

	parse_ok(state, "&&a=1&&b=2&", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "a"), "1");
	assert_string_equal(params_get(&p, "b"), "2");

	parse_ok(state, "flag&x=1&empty=", &p);
	assert_int_equal(p.n, 3);
	assert_string_equal(params_get(&p, "flag"), "");
	assert_string_equal(params_get(&p, "empty"), "");
	assert_string_equal(params_get(&p, "x"), "1");

	parse_ok(state, "k=a=b", &p);
	assert_string_equal(params_get(&p, "k"), "a=b");

	parse_ok(state, "", &p);
	assert_int_equal(p.n, 0);
	assert_null(params_get(&p, "a"));
}

static void
params_first_value_wins(void **state)
{
	struct params p;

	parse_ok(state, "seat=1&seat=2&other=x&seat=3", &p);
	assert_int_equal(p.n, 4);
	assert_string_equal(params_get(&p, "seat"), "1");
	assert_null(params_get(&p, "sea"));
	assert_null(params_get(&p, "seats"));
}

static void
params_reads_only_len_bytes(void **state)
{
	const char *s = "a=1&b=2";
	struct params p;

	assert_int_equal(params_parse_urlencoded(*state, s, 3, &p), PARAMS_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(params_get(&p, "a"), "1");
	assert_null(params_get(&p, "b"));
}

static void
params_refuses_bad_escapes(void **state)
{
	static const char *const bad[] = {
		"%", "%4", "%zz", "%g0", "%0g", "a=%", "a=%4", "a=%zz", "a=1%",
		"a=%%41", "%4=1", "a=%+1", "a=% 1",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(state, bad[i], PARAMS_BAD_ENCODING);
}

static void
params_refuses_nul_and_control(void **state)
{
	static const char *const bad[] = {
		"%00", "a=%00", "a=x%00y", "%00a=1", "a=%01", "a=%1b", "a=%7f",
		"a=\x01", "a=b\x1f", "a\x7f=1", "a=\x08",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(state, bad[i], PARAMS_NUL);
	/* A raw NUL inside the counted bytes. */
	parse_fails(state, "a=x\0y", 5, PARAMS_NUL);
}

/* n fields "f0=1&f1=1&…". */
static char *
fields(void **state, size_t n)
{
	char *s = arena_alloc(*state, n * 8 + 1), *p = s;

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%sf%zu=1", i ? "&" : "", i);
	return s;
}

static void
params_field_count_limit(void **state)
{
	struct params p;

	parse_ok(state, fields(state, PARAMS_MAX_FIELDS), &p);
	assert_int_equal(p.n, PARAMS_MAX_FIELDS);
	assert_string_equal(params_get(&p, "f63"), "1");
	refused(state, fields(state, PARAMS_MAX_FIELDS + 1), PARAMS_TOO_MANY);
	/* Empty pairs are not fields. */
	parse_ok(state, repeat(state, "a=1", "&", 200), &p);
	assert_int_equal(p.n, 1);
}

static void
params_name_length_limit(void **state)
{
	struct params p;
	char *name = repeat(state, "", "n", PARAMS_MAX_NAME);

	parse_ok(state, name, &p);
	assert_int_equal(strlen(p.items[0].name), PARAMS_MAX_NAME);
	refused(state, repeat(state, "", "n", PARAMS_MAX_NAME + 1), PARAMS_TOO_LONG);
	/* The limit counts decoded bytes. */
	parse_ok(state, repeat(state, "", "%41", PARAMS_MAX_NAME), &p);
	assert_int_equal(strlen(p.items[0].name), PARAMS_MAX_NAME);
	refused(state, repeat(state, "", "%41", PARAMS_MAX_NAME + 1),
	    PARAMS_TOO_LONG);
}

static void
params_value_length_limit(void **state)
{
	struct params p;

	parse_ok(state, repeat(state, "v=", "x", PARAMS_MAX_VALUE), &p);
	assert_int_equal(strlen(params_get(&p, "v")), PARAMS_MAX_VALUE);
	refused(state, repeat(state, "v=", "x", PARAMS_MAX_VALUE + 1),
	    PARAMS_TOO_LONG);
	parse_ok(state, repeat(state, "v=", "%41", PARAMS_MAX_VALUE), &p);
	assert_int_equal(strlen(params_get(&p, "v")), PARAMS_MAX_VALUE);
	refused(state, repeat(state, "v=", "%41", PARAMS_MAX_VALUE + 1),
	    PARAMS_TOO_LONG);
	refused(state, repeat(state, "v=", "+", PARAMS_MAX_VALUE + 1),
	    PARAMS_TOO_LONG);
}

static void
params_error_texts(void **state)
{
	(void)state;
	for (int e = PARAMS_OK; e <= PARAMS_TOO_LONG; e++) {
		const char *t = params_error_text((enum params_error)e);

		assert_non_null(t);
		assert_true(strlen(t) > 0);
	}
}

/* ---- cookies ---- */

static void
cookies(void **state, const char *header, struct params *p)
{
	params_parse_cookies(*state, header, p);
}

static void
cookies_split_pairs(void **state)
{
	struct params p;

	cookies(state, "a=b; c=d", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "a"), "b");
	assert_string_equal(params_get(&p, "c"), "d");

	cookies(state, "a=b;c=d;   e=f", &p);
	assert_int_equal(p.n, 3);
	assert_string_equal(params_get(&p, "c"), "d");
	assert_string_equal(params_get(&p, "e"), "f");

	/* Values are kept as sent: no decoding, '=' inside kept. */
	cookies(state, "sid=ab-_==; q=%41+b; empty=", &p);
	assert_int_equal(p.n, 3);
	assert_string_equal(params_get(&p, "sid"), "ab-_==");
	assert_string_equal(params_get(&p, "q"), "%41+b");
	assert_string_equal(params_get(&p, "empty"), "");

	cookies(state, "s=1; s=2", &p);
	assert_string_equal(params_get(&p, "s"), "1");
}

static void
cookies_skip_malformed(void **state)
{
	struct params p;

	cookies(state, "a=b; junk; =nameless; ;; c=d; ", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "a"), "b");
	assert_string_equal(params_get(&p, "c"), "d");
	assert_null(params_get(&p, "junk"));
	assert_null(params_get(&p, ""));

	cookies(state, "", &p);
	assert_int_equal(p.n, 0);
	cookies(state, NULL, &p);
	assert_int_equal(p.n, 0);
	cookies(state, "   ", &p);
	assert_int_equal(p.n, 0);
}

static void
cookies_stop_at_field_limit(void **state)
{
	struct params p;

	cookies(state, repeat(state, "", "k=v; ", PARAMS_MAX_FIELDS + 10), &p);
	assert_int_equal(p.n, PARAMS_MAX_FIELDS);
}

int
main(void)
{
	const struct CMUnitTest int64_tests[] = {
		cmocka_unit_test(int64_accepts_plain_decimals),
		cmocka_unit_test(int64_range_is_inclusive),
		cmocka_unit_test(int64_refuses_malformed),
		cmocka_unit_test(int64_refuses_overflow),
	};
#define T(f) cmocka_unit_test_setup_teardown(f, arena_setup, arena_teardown)
	const struct CMUnitTest params_tests[] = {
		T(params_decodes_plus_and_escapes),
		T(params_empty_pairs_and_missing_equals),
		T(params_first_value_wins),
		T(params_reads_only_len_bytes),
		T(params_refuses_bad_escapes),
		T(params_refuses_nul_and_control),
		T(params_field_count_limit),
		T(params_name_length_limit),
		T(params_value_length_limit),
		T(params_error_texts),
		T(cookies_split_pairs),
		T(cookies_skip_malformed),
		T(cookies_stop_at_field_limit),
	};
#undef T
	int failed = 0;

	failed += cmocka_run_group_tests_name("parse_int64", int64_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("params", params_tests, NULL, NULL);
	return failed != 0;
}
