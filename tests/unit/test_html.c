/*
 * test_html.c — the escaping writers and the byte buffer under them.
 *
 * Covers html_puts()/html_putn() (& < > " ' escaped, embedded NULs and
 * explicit lengths), html_raw_trusted(), url_encode() (and that
 * params_parse_urlencoded() reverses it), and struct buf: growth past
 * several KiB, buf_printf() short and long, buf_cstr(), buf_reset() and
 * buf_free().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "html.h"
#include "params.h"

static int
buf_setup(void **state)
{
	struct buf *b = xmalloc(sizeof *b);

	*b = (struct buf)BUF_INIT;
	*state = b;
	return 0;
}

static int
buf_teardown(void **state)
{
	buf_free(*state);
	free(*state);
	return 0;
}

/* The buffer holds exactly the len bytes of want (NULs allowed). */
static void
assert_buf(struct buf *b, const char *want, size_t len)
{
	assert_int_equal(b->len, len);
	assert_memory_equal(b->data, want, len);
}

#define assert_buf_str(b, want) assert_buf((b), (want), strlen(want))

/* ---- html ---- */

static void
html_escapes_the_five(void **state)
{
	struct buf *b = *state;

	html_puts(b, "a&b<c>d\"e'f");
	assert_buf_str(b, "a&amp;b&lt;c&gt;d&quot;e&#39;f");

	buf_reset(b);
	html_puts(b, "<script>alert('x')</script>");
	assert_buf_str(b, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");

	buf_reset(b);
	html_puts(b, "&amp;");
	assert_buf_str(b, "&amp;amp;");

	buf_reset(b);
	html_puts(b, "<<>>");
	assert_buf_str(b, "&lt;&lt;&gt;&gt;");
}

static void
html_leaves_plain_text(void **state)
{
	struct buf *b = *state;

	html_puts(b, "");
	assert_int_equal(b->len, 0);
	html_puts(b, "Seoul Philharmonic, 19:30 — ₩165,000 / seat A-1");
	assert_buf_str(b, "Seoul Philharmonic, 19:30 — ₩165,000 / seat A-1");
}

static void
html_putn_uses_the_length(void **state)
{
	struct buf *b = *state;

	html_putn(b, "a\0<b", 4);
	assert_buf(b, "a\0&lt;b", 7);

	buf_reset(b);
	html_putn(b, "<b>bold</b>", 2);
	assert_buf_str(b, "&lt;b");

	buf_reset(b);
	html_putn(b, "<", 0);
	assert_int_equal(b->len, 0);
}

static void
html_appends(void **state)
{
	struct buf *b = *state;

	buf_puts(b, "<p>");
	html_puts(b, "1 < 2");
	html_raw_trusted(b, "</p>");
	assert_buf_str(b, "<p>1 &lt; 2</p>");
}

static void
html_raw_is_raw(void **state)
{
	struct buf *b = *state;

	html_raw_trusted(b, "<a href=\"/\">&amp;</a>");
	assert_buf_str(b, "<a href=\"/\">&amp;</a>");
}

/* ---- url_encode ---- */

static void
url_encode_cases(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "AZaz09-_.~", "AZaz09-_.~" },
		{ "/concerts/1", "/concerts/1" },
		{ "a b", "a%20b" },
		{ "a+b", "a%2Bb" },
		{ "a&b=c", "a%26b%3Dc" },
		{ "100%", "100%25" },
		{ "?#\"'<>", "%3F%23%22%27%3C%3E" },
		{ "caf\xc3\xa9", "caf%C3%A9" },
		{ "\x01\x7f\xff", "%01%7F%FF" },
	};
	struct buf *b = *state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(b);
		url_encode(b, cases[i].in);
		assert_string_equal(buf_cstr(b), cases[i].out);
	}
}

/* Every character a form may carry survives url_encode then params
 * decoding: printable ASCII and UTF-8 text (single bytes above 0x7f are
 * not UTF-8, and params refuses them). */
static void
url_encode_round_trips(void **state)
{
	struct buf *b = *state, q = BUF_INIT;
	struct arena a = ARENA_INIT;
	struct params p;
	char value[256];
	size_t n = 0;

	for (int c = 0x20; c < 0x7f; c++)
		value[n++] = (char)c;
	value[n] = '\0';
	strcat(value, "\u00e9\u20a9\U0001f3b5\u00ff");
	url_encode(b, value);
	buf_puts(&q, "v=");
	buf_put(&q, b->data, b->len);
	assert_int_equal(params_parse_urlencoded(&a, q.data, q.len, &p), PARAMS_OK);
	assert_string_equal(params_get(&p, "v"), value);
	/* Nothing but safe characters and escapes went out. */
	for (size_t i = 0; i < b->len; i++)
		assert_null(strchr("&=+ #?\"'<>", b->data[i]));
	buf_free(&q);
	arena_free(&a);
}

/* ---- buf ---- */

static void
buf_grows_byte_by_byte(void **state)
{
	struct buf *b = *state;
	const size_t n = 3 * 4096 + 17;

	for (size_t i = 0; i < n; i++)
		buf_putc(b, (char)('a' + i % 26));
	assert_int_equal(b->len, n);
	assert_true(b->cap > n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(b->data[i], 'a' + i % 26);
	assert_int_equal(strlen(buf_cstr(b)), n);
}

static void
buf_grows_in_one_put(void **state)
{
	struct buf *b = *state;
	size_t big = 40 * 1024;
	char *chunk = xmalloc(big);

	memset(chunk, 'x', big);
	buf_puts(b, "head:");
	buf_put(b, chunk, big);
	buf_puts(b, ":tail");
	assert_int_equal(b->len, big + 10);
	assert_memory_equal(b->data, "head:", 5);
	assert_memory_equal(b->data + 5, chunk, big);
	assert_memory_equal(b->data + 5 + big, ":tail", 5);
	free(chunk);
}

static void
buf_printf_formats_and_appends(void **state)
{
	struct buf *b = *state;

	buf_puts(b, "[");
	buf_printf(b, "%d-%s-%lld", 42, "seat", (long long)INT64_MIN);
	buf_printf(b, "%s", "");
	buf_printf(b, "%c]", 'x');
	assert_string_equal(buf_cstr(b), "[42-seat--9223372036854775808x]");
}

static void
buf_printf_long(void **state)
{
	struct buf *b = *state;

	buf_puts(b, "<");
	buf_printf(b, "%9000s|%s", "end", "after");
	assert_int_equal(b->len, 1 + 9000 + 6);
	assert_int_equal(b->data[1], ' ');
	assert_memory_equal(b->data + 1 + 8997, "end|after", 9);
	assert_int_equal(buf_cstr(b)[b->len], '\0');
}

static void
buf_cstr_reset_free(void **state)
{
	struct buf *b = *state;
	size_t cap;

	assert_string_equal(buf_cstr(b), "");
	assert_int_equal(b->len, 0);
	buf_puts(b, "abc");
	assert_string_equal(buf_cstr(b), "abc");
	assert_int_equal(b->len, 3);

	cap = b->cap;
	buf_reset(b);
	assert_int_equal(b->len, 0);
	assert_int_equal(b->cap, cap);
	assert_string_equal(buf_cstr(b), "");
	buf_puts(b, "de");
	assert_string_equal(buf_cstr(b), "de");

	buf_free(b);
	assert_null(b->data);
	assert_int_equal(b->len, 0);
	assert_int_equal(b->cap, 0);
	buf_puts(b, "again");
	assert_string_equal(buf_cstr(b), "again");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, buf_setup, buf_teardown)
	const struct CMUnitTest tests[] = {
		T(html_escapes_the_five),
		T(html_leaves_plain_text),
		T(html_putn_uses_the_length),
		T(html_appends),
		T(html_raw_is_raw),
		T(url_encode_cases),
		T(url_encode_round_trips),
		T(buf_grows_byte_by_byte),
		T(buf_grows_in_one_put),
		T(buf_printf_formats_and_appends),
		T(buf_printf_long),
		T(buf_cstr_reset_free),
	};
#undef T

	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
