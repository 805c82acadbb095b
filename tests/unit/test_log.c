/*
 * test_log.c — the logs: the escaping (core/log.h log_escape), the
 * FastCGI program's line (cgi-bin/reqlog.h log_format) and core's hook.
 *
 * Escaping: printable text and UTF-8 pass; line breaks, the other C0
 * controls, DEL, backslash, the C1 controls (NEL), U+2028/U+2029 and
 * bytes that are not UTF-8 (stray, truncated, overlong, surrogates) come
 * out as C escapes; keep spares line breaks and tabs for people; text cut
 * short ends with "..." and never inside an escape or a character; and
 * for many random byte strings the output holds no control byte and is
 * UTF-8. A line: one newline, at its end, whatever the path and the
 * message hold (a forged log line stays inside its own line; the path
 * stays one word), with the
 * time in ISO 8601 UTC, the level, the request id, the route, and the
 * status and duration on a request's last line. core_log() reaches the
 * sink a program sets, with core/'s own messages (a database that cannot
 * be opened).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "reqlog.h"
#include "utf8.h"

static const char *
esc(const char *s, const char *keep)
{
	static char out[512];

	log_escape(out, sizeof out, s, keep);
	return out;
}

static void
printable_text_passes(void **state)
{
	(void)state;
	assert_string_equal(esc("GET /concerts/7?x=1 \"quoted\" 'a'", ""),
	    "GET /concerts/7?x=1 \"quoted\" 'a'");
	assert_string_equal(esc("Bad\xef\xbf\xbd Title", ""), "Bad\xef\xbf\xbd Title");
	assert_string_equal(esc("\xed\x95\x9c\xea\xb8\x80 \xe2\x82\xa9" "165,000", ""),
	    "\xed\x95\x9c\xea\xb8\x80 \xe2\x82\xa9" "165,000"); /* 한글 ₩ */
	assert_string_equal(esc("\xf0\x9f\x8e\xb5", ""), "\xf0\x9f\x8e\xb5");
	assert_string_equal(esc("", ""), "");
}

static void
controls_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(esc("a\nb\rc\td\\e", ""), "a\\nb\\rc\\td\\\\e");
	assert_string_equal(esc("\x01\x1b[2J\x7f", ""), "\\x01\\x1b[2J\\x7f");
	/* C1 controls (NEL), line and paragraph separators */
	assert_string_equal(esc("a\xc2\x85" "b\xc2\x9b" "c", ""),
	    "a\\xc2\\x85b\\xc2\\x9bc");
	assert_string_equal(esc("a\xe2\x80\xa8" "b\xe2\x80\xa9", ""),
	    "a\\xe2\\x80\\xa8b\\xe2\\x80\\xa9");
	/* U+00A0 is the first character after C1: kept */
	assert_string_equal(esc("\xc2\xa0", ""), "\xc2\xa0");
}

static void
bytes_that_are_not_utf8_are_escaped(void **state)
{
	(void)state;
	assert_string_equal(esc("x\xff" "y", ""), "x\\xffy");
	assert_string_equal(esc("\xe2\x82", ""), "\\xe2\\x82");      /* truncated */
	assert_string_equal(esc("\xe2\x82" "A", ""), "\\xe2\\x82" "A");
	assert_string_equal(esc("\xc0\xaf", ""), "\\xc0\\xaf");      /* overlong / */
	assert_string_equal(esc("\xed\xa0\x80", ""), "\\xed\\xa0\\x80"); /* surrogate */
	assert_string_equal(esc("\xf4\x90\x80\x80", ""),
	    "\\xf4\\x90\\x80\\x80");                                /* > U+10FFFF */
	assert_string_equal(esc("\x80", ""), "\\x80");
}

static void
keep_spares_what_people_read(void **state)
{
	(void)state;
	assert_string_equal(esc("line one\n\tline two\\", "\n\t\\"),
	    "line one\n\tline two\\");
	/* The rest is still escaped. */
	assert_string_equal(esc("a\rb\x1b" "c", "\n\t\\"), "a\\rb\\x1bc");
}

static void
cut_text_ends_with_dots(void **state)
{
	char out[16];
	size_t n;

	(void)state;
	n = log_escape(out, sizeof out, "0123456789abcdefghij", "");
	assert_string_equal(out, "0123456789ab...");
	assert_int_equal(n, 15);
	/* What fits is not cut. */
	n = log_escape(out, sizeof out, "0123456789abcde", "");
	assert_string_equal(out, "0123456789abcde");
	/* Never inside an escape... */
	log_escape(out, sizeof out, "0123456789\n\n\n\n", "");
	assert_string_equal(out, "0123456789\\n...");
	/* ...nor inside a character. */
	log_escape(out, sizeof out, "0123456789a\xed\x95\x9cxx", "");
	assert_string_equal(out, "0123456789a...");
	log_escape(out, 4, "abcdef", "");
	assert_string_equal(out, "...");
}

static void
random_bytes_come_out_as_one_clean_line(void **state)
{
	char in[64], out[512];

	(void)state;
	srand(9);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand() % 63);

		for (size_t k = 0; k < len; k++)
			in[k] = (char)(1 + rand() % 255);
		in[len] = '\0';
		log_escape(out, sizeof out, in, "");
		for (const unsigned char *p = (const unsigned char *)out; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				fail_msg("control byte %#x from input %d", *p, i);
		assert_true(utf8_valid_str(out));
		assert_null(strstr(out, "\xc2\x85"));
		assert_null(strstr(out, "\xe2\x80\xa8"));
	}
}

/* ---- the FastCGI program's line ---- */

static void
a_line_is_one_line(void **state)
{
	struct log_line l = { 1234, LOG_WARN, "4242-17", 4242, "/concerts/#",
	    "GET", "/concerts/7\n2026-01-01T00:00:00.000Z error forged",
	    "stored text \"x\"\r\n1970-01-01T00:00:00.000Z info pid=1: forged too",
	    0, 0 };
	char out[LOG_LINE_MAX];
	size_t n;

	(void)state;
	n = log_format(out, sizeof out, &l);
	assert_int_equal(n, strlen(out));
	/* The path is one word: its spaces escaped too. */
	assert_string_equal(out, "1970-01-01T00:00:01.234Z warn req=4242-17 "
	    "route=/concerts/# GET /concerts/7\\n2026-01-01T00:00:00.000Z\\x20"
	    "error\\x20forged: stored text \"x\"\\r\\n1970-01-01T00:00:00.000Z "
	    "info pid=1: forged too\n");
}

static void
a_request_ends_with_status_and_duration(void **state)
{
	struct log_line l = { INT64_C(1798108200005), LOG_INFO, "4242-18", 4242,
	    NULL, "POST", "/x", NULL, 404, 1.5 };
	char out[LOG_LINE_MAX];

	(void)state;
	log_format(out, sizeof out, &l);
	assert_string_equal(out, "2026-12-24T10:30:00.005Z info req=4242-18 "
	    "route=- POST /x status=404 ms=1.500\n");
}

static void
outside_a_request_the_pid(void **state)
{
	struct log_line l = { 0, LOG_ERROR, NULL, 99, NULL, NULL, NULL,
	    "worker 7 died (signal 9)", 0, 0 };
	char out[LOG_LINE_MAX];

	(void)state;
	log_format(out, sizeof out, &l);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z error pid=99: "
	    "worker 7 died (signal 9)\n");
}

static void
a_long_line_keeps_its_newline(void **state)
{
	char *path = malloc(5000), *msg = malloc(5000), out[LOG_LINE_MAX];
	struct log_line l = { 0, LOG_INFO, "1-1", 1, "/", "GET", path, msg, 0, 0 };
	size_t n;

	(void)state;
	memset(path, '\n', 4999);
	path[4999] = '\0';
	memset(msg, '\x01', 4999);
	msg[4999] = '\0';
	n = log_format(out, sizeof out, &l);
	assert_true(n < sizeof out);
	assert_int_equal(out[n - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);
	free(path);
	free(msg);
}

/* ---- core's hook ---- */

static char heard[LOG_MSG_MAX];
static enum log_level heard_level;

static void
listen_sink(enum log_level level, const char *msg)
{
	heard_level = level;
	snprintf(heard, sizeof heard, "%s", msg);
}

static void
core_messages_reach_the_sink(void **state)
{
	(void)state;
	log_set_sink(listen_sink);
	core_log(LOG_WARN, "%s: %d", "a", 1);
	assert_string_equal(heard, "a: 1");
	assert_int_equal(heard_level, LOG_WARN);
	heard[0] = '\0';
	assert_null(db_open("/nonexistent-dir/x.db", 0));
	assert_non_null(strstr(heard, "cannot open /nonexistent-dir/x.db"));
	assert_int_equal(heard_level, LOG_ERROR);
	log_set_sink(NULL);
	assert_string_equal(log_level_name(LOG_INFO), "info");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printable_text_passes),
		cmocka_unit_test(controls_are_escaped),
		cmocka_unit_test(bytes_that_are_not_utf8_are_escaped),
		cmocka_unit_test(keep_spares_what_people_read),
		cmocka_unit_test(cut_text_ends_with_dots),
		cmocka_unit_test(random_bytes_come_out_as_one_clean_line),
		cmocka_unit_test(a_line_is_one_line),
		cmocka_unit_test(a_request_ends_with_status_and_duration),
		cmocka_unit_test(outside_a_request_the_pid),
		cmocka_unit_test(a_long_line_keeps_its_newline),
		cmocka_unit_test(core_messages_reach_the_sink),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
