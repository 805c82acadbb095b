/*
 * test_text.c — text at the edges: UTF-8, redirect targets, JSON strings.
 *
 * Covers core/utf8.h (valid text; overlong forms, surrogates, code points
 * above U+10FFFF, truncated and stray bytes refused; the U+FFFD repair),
 * cgi-bin/redirect.h (paths of this site kept; TAB, CR, LF, backslashes,
 * "//", "/\", schemes, encoded control bytes and backslashes, spaces,
 * fragments and non-ASCII refused), cgi-bin/params.h on UTF-8 (a query or
 * form value that is not UTF-8 is PARAMS_BAD_UTF8; such a cookie is
 * skipped), cgi-bin/json.h (json_str writes exactly what jansson writes,
 * for every byte and for text with bad bytes) and api_send() (a failed
 * json_pack is a 500 JSON error, not an abort), and cgi-bin/view.h's
 * sentences with HTML in them (VIEW_HTMLF: the words escaped, the
 * arguments placed as they are, by position as a translation orders them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "api.h"
#include "json.h"
#include "params.h"
#include "redirect.h"
#include "utf8.h"
#include "view.h"

/* ---- utf8 ---- */

static void
utf8_accepts_text(void **state)
{
	static const char *const good[] = {
		"", "plain ASCII", "caf\xc3\xa9", "\xe2\x82\xa9" "165,000",
		"\xf0\x9f\x8e\xb5", "\xed\x9f\xbf",          /* U+D7FF */
		"\xee\x80\x80",                                /* U+E000 */
		"\xef\xbf\xbd", "\xef\xbf\xbe",               /* U+FFFD, U+FFFE */
		"\xf4\x8f\xbf\xbf",                            /* U+10FFFF */
		"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xf0\x90\x80\x80",
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!utf8_valid_str(good[i])) {
			print_error("refused good text #%zu\n", i);
			fail();
		}
}

static void
utf8_refuses_the_rest(void **state)
{
	static const char *const bad[] = {
		"\xff", "\xfe\xff", "a\x80", "\xbf",           /* stray bytes */
		"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",        /* overlong '/' … */
		"\xe0\x9f\xbf", "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf",
		"\xed\xa0\x80", "\xed\xbf\xbf",                /* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80",        /* > U+10FFFF */
		"\xf8\x88\x80\x80\x80",                        /* 5-byte form */
		"\xc3", "\xe2\x82", "\xf0\x9f\x8e", "x\xe2\x82y", /* truncated */
		"\xff\xfe@x.example",                         /* defect 6 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (utf8_valid_str(bad[i])) {
			print_error("accepted bad text #%zu\n", i);
			fail();
		}
	/* A NUL is valid UTF-8 when the length says so: callers refuse it. */
	assert_true(utf8_valid("a\0b", 3));
}

static void
utf8_repair_replaces_bad_sequences(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "Bad\xff Title", "Bad\xef\xbf\xbd Title" },
		{ "\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "x\xe2\x82y", "x\xef\xbf\xbdy" },
		{ "\xed\xa0\x80!", "\xef\xbf\xbd!" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = utf8_repair(cases[i].in);

		assert_string_equal(got, cases[i].out);
		assert_true(utf8_valid_str(got));
		free(got);
	}
}

/* ---- redirect targets ---- */

static void
redirect_keeps_our_paths(void **state)
{
	static const char *const good[] = {
		"/", "/performances/1", "/holds/12", "/wallet?amount=1000&next=/holds/3",
		"/login?msg=login&next=%2Fconcerts%2F2", "/concerts/1?a=b;c=d",
		"/x-y_z.~!$&'()*+,;=:@", "/search?q=caf%C3%A9", "/a%2F%2Fb",
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!redirect_ok(good[i])) {
			print_error("refused %s\n", good[i]);
			fail();
		}
		assert_ptr_equal(redirect_target(good[i], "/x"), good[i]);
	}
}

static void
redirect_refuses_the_rest(void **state)
{
	static const char *const bad[] = {
		"", "x", "evil.example", "//evil.example/x", "/\\evil.example",
		"\\\\evil.example", "/\t/evil.example/x", "\t//evil.example",
		"/\r\n/evil.example", "/\n/evil.example", "/%09/evil.example",
		"/%0a/evil.example", "/%0D/x", "/%5Cevil.example", "/%5c%5cx",
		"/%2F/evil.example", "/%2f%2fevil.example", "/%00", "/%7F", "/%", "/%4", "/%zz", "/%%41",
		"https://evil.example/", "http:/evil.example", "javascript:alert(1)",
		" /x", "/a b", "/a#frag", "/a\"b", "/a<b>", "/caf\xc3\xa9",
		"/\xff", "/a`b", "/a^b", "/a|b", "/a{b}", "/a[0]",
	};

	(void)state;
	assert_false(redirect_ok(NULL));
	assert_string_equal(redirect_target(NULL, "/wallet"), "/wallet");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (redirect_ok(bad[i])) {
			print_error("accepted \"%s\"\n", bad[i]);
			fail();
		}
		assert_string_equal(redirect_target(bad[i], "/"), "/");
	}
}

static void
redirect_has_a_length_limit(void **state)
{
	char *p = xmalloc(REDIRECT_MAX + 2);

	(void)state;
	memset(p, 'a', REDIRECT_MAX + 1);
	p[0] = '/';
	p[REDIRECT_MAX] = '\0'; /* REDIRECT_MAX characters: kept */
	assert_true(redirect_ok(p));
	p[REDIRECT_MAX] = 'a';
	p[REDIRECT_MAX + 1] = '\0'; /* one more: refused */
	assert_false(redirect_ok(p));
	/* Also when the limit falls inside an escape (found by fuzz_next:
	 * the length was checked per character and an escape skipped two). */
	memcpy(p + REDIRECT_MAX - 2, "%41", 3);
	assert_false(redirect_ok(p));
	p[REDIRECT_MAX - 3] = '\0';
	memcpy(p + REDIRECT_MAX - 6, "%41", 3);
	assert_true(redirect_ok(p));
	free(p);
}

/* ---- params and UTF-8 ---- */

static void
params_refuse_bytes_that_are_not_utf8(void **state)
{
	static const char *const bad[] = {
		"email=%FF%FE%40x.example", "a=caf%E9", "%C0%AF=1", "a=%ED%A0%80",
		"a=%F4%90%80%80", "a=%E2%82", "x=1&y=%80",
	};
	struct arena a = ARENA_INIT;
	struct params p;
	const char *ok = "email=caf%C3%A9%40x.example&t=%E2%82%A9+1";

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(params_parse_urlencoded(&a, bad[i], strlen(bad[i]),
		    &p), PARAMS_BAD_UTF8);
	assert_int_equal(params_parse_urlencoded(&a, ok, strlen(ok), &p), PARAMS_OK);
	assert_string_equal(params_get(&p, "email"), "caf\xc3\xa9@x.example");
	assert_string_equal(params_get(&p, "t"), "\xe2\x82\xa9 1");
	assert_non_null(strstr(params_error_text(PARAMS_BAD_UTF8), "UTF-8"));
	arena_free(&a);
}

static void
cookies_that_are_not_text_are_skipped(void **state)
{
	struct arena a = ARENA_INIT;
	struct params p;

	(void)state;
	params_parse_cookies(&a, "bad=\xff\xfe; bo_csrf=abc; ctl=a\x01z; "
	    "\xc3=x; name=caf\xc3\xa9", &p);
	assert_int_equal(p.n, 2);
	assert_string_equal(params_get(&p, "bo_csrf"), "abc");
	assert_string_equal(params_get(&p, "name"), "caf\xc3\xa9");
	assert_null(params_get(&p, "bad"));
	assert_null(params_get(&p, "ctl"));
	arena_free(&a);
}

/* ---- JSON strings ---- */

/* What jansson writes for the string s (repaired as json_text does). */
static char *
jansson_writes(const char *s)
{
	json_t *t = json_text(s);
	char *out = json_dumps(t, JSON_ENCODE_ANY | JSON_COMPACT);

	json_decref(t);
	assert_non_null(out);
	return out;
}

static void
same_as_jansson(const char *s)
{
	struct buf b = BUF_INIT;
	char *want = jansson_writes(s);

	json_str(&b, s);
	if (strcmp(buf_cstr(&b), want) != 0) {
		print_error("json_str wrote %s, jansson %s\n", buf_cstr(&b), want);
		fail();
	}
	free(want);
	buf_free(&b);
}

static void
json_str_escapes_as_jansson_does(void **state)
{
	static const char *const cases[] = {
		"", "plain", "a\"b", "a\\b", "a/b", "</script>", "tab\there",
		"line\nbreak\r", "\x01\x08\x0c\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xa9",
		"\xf0\x9f\x8e\xb5", "\xe2\x80\xa8\xe2\x80\xa9", "Bad\xff Title",
		"\xed\xa0\x80", "x\xe2\x82",
	};
	char one[2] = { 0, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		same_as_jansson(cases[i]);
	for (int c = 1; c < 256; c++) { /* every single byte */
		one[0] = (char)c;
		same_as_jansson(one);
	}
}

static void
json_text_is_never_null(void **state)
{
	json_t *t;

	(void)state;
	t = json_text("Bad\xff Title");
	assert_non_null(t);
	assert_string_equal(json_string_value(t), "Bad\xef\xbf\xbd Title");
	json_decref(t);
	t = json_text("Good");
	assert_string_equal(json_string_value(t), "Good");
	json_decref(t);
}

/* A json_pack() that fails (here: "s" given bytes that are not UTF-8) is a
 * logged 500 JSON error, not an abort. */
static void
api_send_answers_500_for_a_failed_pack(void **state)
{
	struct buf body = BUF_INIT, headers = BUF_INIT;
	struct req r;
	json_t *err;

	(void)state;
	memset(&r, 0, sizeof r);
	r.body = &body;
	r.headers = &headers;
	r.path = "/api/v1/test";
	api_send(&r, HTTP_200, json_pack("{s:s}", "title", "Bad\xff Title"));
	assert_int_equal(r.status, HTTP_500);
	assert_string_equal(r.content_type_out, "application/json");
	err = json_loadb(body.data, body.len, 0, NULL);
	assert_non_null(err);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(err, "error"), "code")), "internal_error");
	json_decref(err);

	api_send(&r, HTTP_201, json_pack("{s:o}", "title", json_text("Bad\xff Title")));
	assert_int_equal(r.status, HTTP_201);
	assert_string_equal(buf_cstr(&body), "{\"title\":\"Bad\xef\xbf\xbd Title\"}\n");
	buf_free(&body);
	buf_free(&headers);
}

/* A sentence around a time: the format's words are text (a translation
 * cannot put markup on the page), each argument goes in as the HTML it
 * is, %N$ takes the Nth whatever its conversion says, %% is a percent. */
static void
view_htmlf_escapes_the_words_not_the_html(void **state)
{
	struct req r;
	struct html h, t = { 21, "<time>19:30 KST</time>" };

	(void)state;
	memset(&r, 0, sizeof r);
	t.len = strlen(t.s);
	h = VIEW_HTMLF(&r, "<b>%2$s</b> & %1$s, %3$lld%%", view_text(&r, "A<B"),
	    t, view_text(&r, "48"));
	assert_string_equal(h.s, "&lt;b&gt;<time>19:30 KST</time>&lt;/b&gt; &amp; "
	    "A&lt;B, 48%");
	assert_int_equal(h.len, strlen(h.s));
	h = VIEW_HTMLF(&r, "Refunded %s.", t);
	assert_string_equal(h.s, "Refunded <time>19:30 KST</time>.");
	arena_free(&r.arena);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_accepts_text),
		cmocka_unit_test(utf8_refuses_the_rest),
		cmocka_unit_test(utf8_repair_replaces_bad_sequences),
		cmocka_unit_test(redirect_keeps_our_paths),
		cmocka_unit_test(redirect_refuses_the_rest),
		cmocka_unit_test(redirect_has_a_length_limit),
		cmocka_unit_test(params_refuse_bytes_that_are_not_utf8),
		cmocka_unit_test(cookies_that_are_not_text_are_skipped),
		cmocka_unit_test(json_str_escapes_as_jansson_does),
		cmocka_unit_test(json_text_is_never_null),
		cmocka_unit_test(api_send_answers_500_for_a_failed_pack),
		cmocka_unit_test(view_htmlf_escapes_the_words_not_the_html),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
