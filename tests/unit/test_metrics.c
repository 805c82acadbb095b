/*
 * test_metrics.c — Prometheus metrics: the text format writer
 * (cgi-bin/metrics_text.h) and the counters shared across fork
 * (cgi-bin/metrics_shm.h).
 *
 * The writer's exact lines (HELP and TYPE, escaping, cumulative buckets,
 * floats as Go reads them); a sample registry like a real scrape's, read
 * by Debian's `promtool check metrics`, which must find nothing to say
 * (and which does object to a broken exposition, so the check is real).
 * The shared counters: a forked child's additions seen by the parent,
 * four children adding at once losing nothing, latency buckets at their
 * edges, and the families written from a snapshot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "metrics_shm.h"
#include "metrics_text.h"

static void
has_line(struct buf *b, const char *line)
{
	const char *text = buf_cstr(b), *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p++;
	}
	print_error("no line [%s] in:\n%s\n", line, text);
	fail();
}

static void
counters_and_gauges(void **state)
{
	struct buf b = BUF_INIT;
	struct metrics m;
	const struct metric_label l[] = { { "route", "/concerts/#" },
	    { "code", "2xx" } };

	(void)state;
	metrics_begin(&m, &b);
	metrics_family(&m, "boxoffice_requests_total", METRIC_COUNTER,
	    "Requests.\nBy route \\ class.");
	metrics_uint(&m, l, 2, 42);
	metrics_family(&m, "boxoffice_wal_bytes", METRIC_GAUGE, "WAL size.");
	metrics_int(&m, NULL, 0, -3);
	metrics_family(&m, "boxoffice_ratio", METRIC_GAUGE, "A float.");
	metrics_real(&m, NULL, 0, 0.005);
	metrics_real(&m, (const struct metric_label[]){ { "x", "a" } }, 1, 0.1 + 0.2);
	metrics_real(&m, (const struct metric_label[]){ { "x", "b" } }, 1, 1e21);
	metrics_real(&m, (const struct metric_label[]){ { "x", "c" } }, 1, NAN);
	metrics_real(&m, (const struct metric_label[]){ { "x", "d" } }, 1, -INFINITY);
	assert_string_equal(buf_cstr(&b),
	    "# HELP boxoffice_requests_total Requests.\\nBy route \\\\ class.\n"
	    "# TYPE boxoffice_requests_total counter\n"
	    "boxoffice_requests_total{route=\"/concerts/#\",code=\"2xx\"} 42\n"
	    "# HELP boxoffice_wal_bytes WAL size.\n"
	    "# TYPE boxoffice_wal_bytes gauge\n"
	    "boxoffice_wal_bytes -3\n"
	    "# HELP boxoffice_ratio A float.\n"
	    "# TYPE boxoffice_ratio gauge\n"
	    "boxoffice_ratio 0.005\n"
	    "boxoffice_ratio{x=\"a\"} 0.30000000000000004\n"
	    "boxoffice_ratio{x=\"b\"} 1e+21\n"
	    "boxoffice_ratio{x=\"c\"} NaN\n"
	    "boxoffice_ratio{x=\"d\"} -Inf\n");
	buf_free(&b);
}

static void
label_values_are_escaped(void **state)
{
	struct buf b = BUF_INIT;
	struct metrics m;
	const struct metric_label l[] = { { "title", "Say \"hi\"\\\nnow" } };

	(void)state;
	metrics_begin(&m, &b);
	metrics_family(&m, "boxoffice_queue_waiting", METRIC_GAUGE, "Waiting.");
	metrics_int(&m, l, 1, 7);
	has_line(&b, "boxoffice_queue_waiting{title=\"Say \\\"hi\\\"\\\\\\nnow\"} 7");
	buf_free(&b);
}

static void
histograms_are_cumulative(void **state)
{
	static const double le[] = { 0.01, 0.1, 1 };
	static const uint64_t counts[] = { 2, 0, 5, 1 };
	const struct metric_hist h = { 3, le, counts, 4.25 };
	const struct metric_label l[] = { { "route", "/" } };
	struct buf b = BUF_INIT;
	struct metrics m;

	(void)state;
	metrics_begin(&m, &b);
	metrics_family(&m, "boxoffice_request_duration_seconds", METRIC_HISTOGRAM,
	    "Latency.");
	metrics_histogram(&m, l, 1, &h);
	assert_string_equal(buf_cstr(&b),
	    "# HELP boxoffice_request_duration_seconds Latency.\n"
	    "# TYPE boxoffice_request_duration_seconds histogram\n"
	    "boxoffice_request_duration_seconds_bucket{route=\"/\",le=\"0.01\"} 2\n"
	    "boxoffice_request_duration_seconds_bucket{route=\"/\",le=\"0.1\"} 2\n"
	    "boxoffice_request_duration_seconds_bucket{route=\"/\",le=\"1\"} 7\n"
	    "boxoffice_request_duration_seconds_bucket{route=\"/\",le=\"+Inf\"} 8\n"
	    "boxoffice_request_duration_seconds_sum{route=\"/\"} 4.25\n"
	    "boxoffice_request_duration_seconds_count{route=\"/\"} 8\n");
	buf_free(&b);
}

/* Pipes text into `promtool check metrics`; its output into out. The
 * exit status (0: nothing to complain about). */
static int
promtool(const char *text, size_t len, char *out, size_t outlen)
{
	char dir[] = "/tmp/boxoffice-promtool-XXXXXX", cmd[160], path[96];
	FILE *f;
	size_t n;
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out", dir);
	snprintf(cmd, sizeof cmd, "promtool check metrics >%s 2>&1", path);
	assert_non_null(f = popen(cmd, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	rc = pclose(f);
	assert_non_null(f = fopen(path, "r"));
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(path);
	rmdir(dir);
	return rc;
}

static void
promtool_accepts_a_sample_registry(void **state)
{
	static const char *const routes[] = { "/", "/concerts/#", NULL,
	    "/api/v1/checkins" };
	static const char no_total[] = "# HELP boxoffice_x X.\n"
	    "# TYPE boxoffice_x counter\nboxoffice_x 1\n";
	static const char bad_quote[] = "boxoffice_y{a=\"b\"c\"} 1\n";
	struct metrics_snapshot *s = calloc(1, sizeof *s);
	struct buf b = BUF_INIT;
	struct metrics m;
	char out[4096];

	(void)state;
	if (system("command -v promtool >/dev/null") != 0) {
		print_error("promtool missing: run tools/deps.sh (Debian's "
		    "prometheus package)\n");
		fail();
	}
	assert_non_null(s);
	s->route[1].requests[1] = 1200;
	s->route[1].requests[3] = 17;
	s->route[1].latency[2] = 1000;
	s->route[1].latency[5] = 217;
	s->route[1].latency_sum_us = 7654321;
	s->route[3].requests[4] = 3;
	s->route[3].latency[13] = 3;
	s->route[3].latency_sum_us = 36000000;
	s->db_busy = 3;
	s->worker_restarts = 1;
	metrics_begin(&m, &b);
	metrics_shm_write(s, &m, routes, 4);
	/* What the database will add at scrape time, with awkward labels. */
	metrics_family(&m, "boxoffice_queue_waiting", METRIC_GAUGE,
	    "Buyers waiting in each concert's line.");
	metrics_int(&m, (const struct metric_label[]){ { "concert", "1" },
	    { "title", "Say \"hi\" \\ o/\nencore" } }, 2, 2000);
	metrics_int(&m, (const struct metric_label[]){ { "concert", "2" },
	    { "title", "서울 콘서트" } }, 2, 0);
	metrics_family(&m, "boxoffice_gross_sales_total", METRIC_COUNTER,
	    "Money taken, in the currency's smallest unit.");
	metrics_uint(&m, (const struct metric_label[]){ { "performance", "1" } },
	    1, 16500000);
	metrics_family(&m, "boxoffice_wal_bytes", METRIC_GAUGE,
	    "Size of the SQLite write-ahead log.");
	metrics_int(&m, NULL, 0, 4128272);
	metrics_family(&m, "boxoffice_expire_last_run_timestamp_seconds",
	    METRIC_GAUGE, "When boxoffice-expire last finished.");
	metrics_real(&m, NULL, 0, 1798108200.5);
	if (promtool(b.data, b.len, out, sizeof out) != 0 || out[0] != '\0') {
		print_error("promtool said:\n%s\nof:\n%s\n", out, buf_cstr(&b));
		fail();
	}
	/* The check is real: promtool objects to a counter without _total
	 * and to an unescaped quote. */
	assert_int_not_equal(promtool(no_total, strlen(no_total), out,
	    sizeof out), 0);
	assert_int_not_equal(promtool(bad_quote, strlen(bad_quote), out,
	    sizeof out), 0);
	buf_free(&b);
	free(s);
}

static void
a_childs_counts_reach_the_parent(void **state)
{
	struct metrics_shm *shm = metrics_shm_create();
	struct metrics_snapshot *s = calloc(1, sizeof *s);
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(shm);
	assert_non_null(s);
	if ((pid = fork()) == 0) {
		for (int i = 0; i < 1000; i++)
			metrics_shm_request(shm, 3, 200, 1500);
		for (int i = 0; i < 7; i++)
			metrics_shm_db_busy(shm);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	metrics_shm_worker_restart(shm); /* the master's own */
	metrics_shm_read(shm, s);
	assert_int_equal(s->route[3].requests[1], 1000);
	assert_int_equal(s->route[3].latency[1], 1000); /* 1.5 ms <= 2.5 ms */
	assert_int_equal(s->route[3].latency_sum_us, 1500000);
	assert_int_equal(s->db_busy, 7);
	assert_int_equal(s->worker_restarts, 1);
	assert_int_equal(s->route[2].requests[1], 0);
	metrics_shm_destroy(shm);
	free(s);
}

static void
children_adding_at_once_lose_nothing(void **state)
{
	enum { KIDS = 4, EACH = 200000 };
	struct metrics_shm *shm = metrics_shm_create();
	struct metrics_snapshot *s = calloc(1, sizeof *s);
	pid_t pids[KIDS];

	(void)state;
	assert_non_null(shm);
	assert_non_null(s);
	for (int k = 0; k < KIDS; k++) {
		if ((pids[k] = fork()) == 0) {
			for (int i = 0; i < EACH; i++)
				metrics_shm_request(shm, 0, 500 - k, i % 3);
			_exit(0);
		}
		assert_true(pids[k] > 0);
	}
	for (int i = 0; i < EACH; i++)
		metrics_shm_request(shm, 0, 200, 1);
	for (int k = 0; k < KIDS; k++) {
		int status;

		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	metrics_shm_read(shm, s);
	assert_int_equal(s->route[0].requests[1], EACH);
	assert_int_equal(s->route[0].requests[3], (KIDS - 1) * EACH); /* 499.. */
	assert_int_equal(s->route[0].requests[4], EACH);              /* 500 */
	assert_int_equal(s->route[0].latency[0], (KIDS + 1) * EACH);
	metrics_shm_destroy(shm);
	free(s);
}

static void
latency_buckets_at_their_edges(void **state)
{
	struct metrics_shm *shm = metrics_shm_create();
	struct metrics_snapshot *s = calloc(1, sizeof *s);

	(void)state;
	assert_non_null(shm);
	assert_non_null(s);
	metrics_shm_request(shm, 5, 302, -7);       /* clock went back: 0 */
	metrics_shm_request(shm, 5, 302, 1000);     /* le="0.001" is <= */
	metrics_shm_request(shm, 5, 404, 1001);
	metrics_shm_request(shm, 5, 101, 10000000); /* le="10" */
	metrics_shm_request(shm, 5, 599, 10000001); /* +Inf */
	metrics_shm_read(shm, s);
	assert_int_equal(s->route[5].latency[0], 2);
	assert_int_equal(s->route[5].latency[1], 1);
	assert_int_equal(s->route[5].latency[METRICS_BUCKETS - 1], 1);
	assert_int_equal(s->route[5].latency[METRICS_BUCKETS], 1);
	assert_int_equal(s->route[5].requests[0], 1);
	assert_int_equal(s->route[5].requests[2], 2);
	assert_int_equal(s->route[5].requests[3], 1);
	assert_int_equal(s->route[5].requests[4], 1);
	assert_int_equal(s->route[5].latency_sum_us, 20002002);
	metrics_shm_destroy(shm);
	free(s);
}

static void
families_from_a_snapshot(void **state)
{
	static const char *const routes[] = { NULL, "/concerts/#" };
	struct metrics_shm *shm = metrics_shm_create();
	struct metrics_snapshot *s = calloc(1, sizeof *s);
	struct buf b = BUF_INIT;
	struct metrics m;

	(void)state;
	assert_non_null(shm);
	assert_non_null(s);
	for (int i = 0; i < 1000; i++)
		metrics_shm_request(shm, 1, 200, 1500);
	metrics_shm_request(shm, 0, 200, 1500);
	metrics_shm_db_busy(shm);
	metrics_shm_read(shm, s);
	metrics_begin(&m, &b);
	metrics_shm_write(s, &m, routes, 2);
	has_line(&b, "# TYPE boxoffice_requests_total counter");
	has_line(&b, "boxoffice_requests_total{route=\"/concerts/#\",code=\"2xx\"} 1000");
	has_line(&b, "boxoffice_requests_total{route=\"/concerts/#\",code=\"5xx\"} 0");
	has_line(&b, "# TYPE boxoffice_request_duration_seconds histogram");
	has_line(&b, "boxoffice_request_duration_seconds_bucket{route=\"/concerts/#\",le=\"0.001\"} 0");
	has_line(&b, "boxoffice_request_duration_seconds_bucket{route=\"/concerts/#\",le=\"0.0025\"} 1000");
	has_line(&b, "boxoffice_request_duration_seconds_bucket{route=\"/concerts/#\",le=\"+Inf\"} 1000");
	has_line(&b, "boxoffice_request_duration_seconds_sum{route=\"/concerts/#\"} 1.5");
	has_line(&b, "boxoffice_request_duration_seconds_count{route=\"/concerts/#\"} 1000");
	has_line(&b, "boxoffice_db_busy_total 1");
	has_line(&b, "boxoffice_worker_restarts_total 0");
	/* Route 0 has no name: not written, though it counted. */
	assert_null(strstr(b.data, "route=\"(null)\""));
	assert_int_equal(s->route[0].requests[1], 1);
	buf_free(&b);
	metrics_shm_destroy(shm);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_and_gauges),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(histograms_are_cumulative),
		cmocka_unit_test(promtool_accepts_a_sample_registry),
		cmocka_unit_test(a_childs_counts_reach_the_parent),
		cmocka_unit_test(children_adding_at_once_lose_nothing),
		cmocka_unit_test(latency_buckets_at_their_edges),
		cmocka_unit_test(families_from_a_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
