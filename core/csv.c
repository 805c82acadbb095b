/*
 * csv.c — CSV files for spreadsheets (see csv.h).
 *
 * Hand-written: writing RFC 4180 is a dozen lines. Debian's libcsv can
 * quote a field (csv_write), but knows nothing of the byte order mark,
 * of formula injection or of numbers as numbers, which are the parts
 * that matter here; it would be a dependency for the easy part.
 */
#include "csv.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

static void
put(struct csv *c, const char *p, size_t n)
{
	if (c->len + n < c->len)
		abort();
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;

		while (cap < c->len + n)
			cap *= 2;
		c->data = xrealloc(c->data, cap);
		c->cap = cap;
	}
	memcpy(c->data + c->len, p, n);
	c->len += n;
}

/* Starts a cell: the byte order mark before the first, a comma between. */
static void
cell(struct csv *c)
{
	if (c->len == 0)
		put(c, "\xEF\xBB\xBF", 3);
	if (c->cells++ > 0)
		put(c, ",", 1);
}

void
csv_text(struct csv *c, const char *s)
{
	size_t start = 0, i;
	int formula;

	assert(c != NULL && s != NULL);
	/* OWASP's list: what makes a spreadsheet read a formula. */
	formula = s[0] != '\0' && strchr("=+-@\t\r\n", s[0]) != NULL;
	cell(c);
	if (!formula && strpbrk(s, ",\"\r\n;\t") == NULL) {
		put(c, s, strlen(s));
		return;
	}
	put(c, formula ? "\"'" : "\"", formula ? 2 : 1);
	for (i = 0; s[i]; i++) {
		if (s[i] == '"') {
			put(c, s + start, i + 1 - start); /* the quote, and again */
			start = i;
		}
	}
	put(c, s + start, i - start);
	put(c, "\"", 1);
}

void
csv_int(struct csv *c, int64_t v)
{
	char n[24];

	assert(c != NULL);
	cell(c);
	put(c, n, (size_t)snprintf(n, sizeof n, "%lld", (long long)v));
}

void
csv_decimal(struct csv *c, int64_t v, int places)
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, unit = 1;
	char n[32];
	int len;

	assert(c != NULL && places >= 0 && places <= 6);
	if (places == 0) {
		csv_int(c, v);
		return;
	}
	for (int i = 0; i < places; i++)
		unit *= 10;
	cell(c);
	len = snprintf(n, sizeof n, "%s%llu.%0*llu", v < 0 ? "-" : "",
	    (unsigned long long)(mag / unit), places,
	    (unsigned long long)(mag % unit));
	put(c, n, (size_t)len);
}

void
csv_end_row(struct csv *c)
{
	assert(c != NULL && c->cells > 0);
	put(c, "\r\n", 2);
	c->cells = 0;
}

void
csv_free(struct csv *c)
{
	assert(c != NULL);
	free(c->data);
	c->data = NULL;
	c->len = c->cap = c->cells = 0;
}
