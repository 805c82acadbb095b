/*
 * metrics_text.c — the Prometheus text format writer (see metrics_text.h).
 */
#include "metrics_text.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[METRIC__MAX] = {
	[METRIC_COUNTER] = "counter",
	[METRIC_GAUGE] = "gauge",
	[METRIC_HISTOGRAM] = "histogram",
};

/* [a-zA-Z_][a-zA-Z0-9_]*, and ':' too in metric names. */
static int
valid_name(const char *s, int colon)
{
	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || (colon && *s == ':')))
			return 0;
	return 1;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Writes s escaped: backslash and line feed always, the double quote
 * inside label values. */
static void
escaped(struct buf *b, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else if (quote && *s == '"')
			buf_puts(b, "\\\"");
		else
			buf_putc(b, *s);
	}
}

/* A float as Go's ParseFloat reads it, into the caller's s: the shorter
 * of %.15g and %.17g that reads back exactly, so 0.005 stays "0.005". */
static const char *
real_text(double v, char s[32])
{
	if (isnan(v))
		return strcpy(s, "NaN");
	if (isinf(v))
		return strcpy(s, v > 0 ? "+Inf" : "-Inf");
	snprintf(s, 32, "%.15g", v);
	if (strtod(s, NULL) != v)
		snprintf(s, 32, "%.17g", v);
	return s;
}

/* name{labels[,le="…"]}␠ — le is NULL except for buckets. */
static void
series(struct buf *b, const char *name, const char *suffix,
    const struct metric_label *labels, size_t n, const char *le)
{
	buf_puts(b, name);
	buf_puts(b, suffix);
	if (n == 0 && le == NULL) {
		buf_putc(b, ' ');
		return;
	}
	buf_putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		assert(labels[i].name != NULL && labels[i].value != NULL);
		assert(valid_name(labels[i].name, 0));
		assert(strncmp(labels[i].name, "__", 2) != 0);
		assert(strcmp(labels[i].name, "le") != 0);
		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, labels[i].name);
		buf_puts(b, "=\"");
		escaped(b, labels[i].value, 1);
		buf_putc(b, '"');
	}
	if (le != NULL) {
		if (n > 0)
			buf_putc(b, ',');
		buf_puts(b, "le=\"");
		buf_puts(b, le);
		buf_putc(b, '"');
	}
	buf_puts(b, "} ");
}

void
metrics_begin(struct metrics *m, struct buf *b)
{
	assert(m != NULL && b != NULL);
	m->b = b;
	m->family = NULL;
	m->type = METRIC__MAX;
}

void
metrics_family(struct metrics *m, const char *name, enum metric_type type,
    const char *help)
{
	assert(m != NULL && m->b != NULL && name != NULL && help != NULL);
	assert(type >= METRIC_COUNTER && type < METRIC__MAX);
	assert(strncmp(name, "boxoffice_", 10) == 0 && valid_name(name, 1));
	/* Prometheus's naming rules, which promtool checks too. */
	assert(type != METRIC_COUNTER || ends_with(name, "_total"));
	assert(type == METRIC_COUNTER || !ends_with(name, "_total"));
	assert(type != METRIC_HISTOGRAM || (!ends_with(name, "_bucket") &&
	    !ends_with(name, "_sum") && !ends_with(name, "_count")));
	m->family = name;
	m->type = type;
	buf_puts(m->b, "# HELP ");
	buf_puts(m->b, name);
	buf_putc(m->b, ' ');
	escaped(m->b, help, 0);
	buf_puts(m->b, "\n# TYPE ");
	buf_puts(m->b, name);
	buf_putc(m->b, ' ');
	buf_puts(m->b, type_names[type]);
	buf_putc(m->b, '\n');
}

void
metrics_uint(struct metrics *m, const struct metric_label *labels, size_t n,
    uint64_t v)
{
	assert(m != NULL && m->family != NULL && m->type != METRIC_HISTOGRAM);
	assert(n == 0 || labels != NULL);
	series(m->b, m->family, "", labels, n, NULL);
	buf_printf(m->b, "%llu\n", (unsigned long long)v);
}

void
metrics_int(struct metrics *m, const struct metric_label *labels, size_t n,
    int64_t v)
{
	assert(m != NULL && m->family != NULL && m->type != METRIC_HISTOGRAM);
	assert(m->type != METRIC_COUNTER || v >= 0);
	assert(n == 0 || labels != NULL);
	series(m->b, m->family, "", labels, n, NULL);
	buf_int(m->b, v);
	buf_putc(m->b, '\n');
}

void
metrics_real(struct metrics *m, const struct metric_label *labels, size_t n,
    double v)
{
	char s[32];

	assert(m != NULL && m->family != NULL && m->type != METRIC_HISTOGRAM);
	assert(m->type != METRIC_COUNTER || v >= 0);
	assert(n == 0 || labels != NULL);
	series(m->b, m->family, "", labels, n, NULL);
	buf_puts(m->b, real_text(v, s));
	buf_putc(m->b, '\n');
}

void
metrics_histogram(struct metrics *m, const struct metric_label *labels,
    size_t n, const struct metric_hist *h)
{
	uint64_t total = 0;
	char le[32];

	assert(m != NULL && m->family != NULL && m->type == METRIC_HISTOGRAM);
	assert(n == 0 || labels != NULL);
	assert(h != NULL && h->counts != NULL && (h->n == 0 || h->le != NULL));
	for (size_t i = 0; i <= h->n; i++) {
		total += h->counts[i];
		if (i < h->n) {
			assert(isfinite(h->le[i]));
			assert(i == 0 || h->le[i - 1] < h->le[i]);
			real_text(h->le[i], le);
		} else
			strcpy(le, "+Inf");
		series(m->b, m->family, "_bucket", labels, n, le);
		buf_printf(m->b, "%llu\n", (unsigned long long)total);
	}
	series(m->b, m->family, "_sum", labels, n, NULL);
	buf_puts(m->b, real_text(h->sum, le));
	buf_putc(m->b, '\n');
	series(m->b, m->family, "_count", labels, n, NULL);
	buf_printf(m->b, "%llu\n", (unsigned long long)total);
}
