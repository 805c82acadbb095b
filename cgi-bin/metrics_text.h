/*
 * metrics_text.h — writing the Prometheus text exposition format (0.0.4),
 * the body of GET /metrics.
 *
 * Hand-written because no Prometheus client library for C is in Debian;
 * we only need the writer, which is small. A scrape is written family by
 * family: metrics_family() writes its # HELP and # TYPE lines, then the
 * samples of that family follow. Names are our own constants and are
 * checked by asserts: every family is called boxoffice_*, counters end in
 * _total, label names are plain identifiers (never "le", which histograms
 * own). Label values may come from data and are escaped as the format
 * says (backslash, double quote, line feed). `promtool check metrics`
 * (Debian's prometheus package) passes the output in the unit tests.
 *
 * Content-Type of the answer: text/plain; version=0.0.4; charset=utf-8.
 */
#ifndef BOXOFFICE_METRICS_TEXT_H
#define BOXOFFICE_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum metric_type {
	METRIC_COUNTER,   /* only goes up (reset when the service restarts) */
	METRIC_GAUGE,     /* goes up and down */
	METRIC_HISTOGRAM, /* observations counted into buckets */
	METRIC__MAX
};

struct metric_label {
	const char *name;  /* a constant identifier */
	const char *value; /* any UTF-8 text; escaped on output */
};

/*
 * A histogram's state as the caller holds it: n finite upper bounds in
 * ascending order, n + 1 counts per bucket (not cumulative; the last
 * counts observations above the highest bound), and the sum of all
 * observations. The writer adds up the cumulative _bucket lines, the
 * le="+Inf" bucket and _count.
 */
struct metric_hist {
	size_t n;
	const double *le;
	const uint64_t *counts;
	double sum;
};

/* The writer: the caller's buffer and the family being written. */
struct metrics {
	struct buf *b;
	const char *family;
	enum metric_type type;
};

/* Starts writing into the caller's b (appending). */
void metrics_begin(struct metrics *m, struct buf *b);

/*
 * Starts a family: name (static, boxoffice_*, counters ending in _total)
 * and one line of help (escaped). Each family once per scrape.
 */
void metrics_family(struct metrics *m, const char *name, enum metric_type type,
    const char *help);

/* One sample of the current counter or gauge family, with n labels
 * (labels may be NULL when n is 0). */
void metrics_uint(struct metrics *m, const struct metric_label *labels,
    size_t n, uint64_t v);
void metrics_int(struct metrics *m, const struct metric_label *labels,
    size_t n, int64_t v);
void metrics_real(struct metrics *m, const struct metric_label *labels,
    size_t n, double v);

/* One labelled histogram of the current histogram family. */
void metrics_histogram(struct metrics *m, const struct metric_label *labels,
    size_t n, const struct metric_hist *h);

#endif
