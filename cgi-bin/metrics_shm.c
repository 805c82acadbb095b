/*
 * metrics_shm.c — counters shared across fork (see metrics_shm.h).
 */
#include "metrics_shm.h"

#include <assert.h>
#include <stdatomic.h>
#include <sys/mman.h>

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
    "64-bit atomics must be lock-free to be shared between processes");

const double metrics_latency_le[METRICS_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

/* The same bounds in microseconds, for the hot path. */
static const int64_t le_us[METRICS_BUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};

static const char *const class_names[METRICS_CLASSES] = {
	"1xx", "2xx", "3xx", "4xx", "5xx",
};

struct metrics_shm {
	struct {
		atomic_ullong requests[METRICS_CLASSES];
		atomic_ullong latency[METRICS_BUCKETS + 1];
		atomic_ullong latency_sum_us;
	} route[METRICS_ROUTES];
	atomic_ullong db_busy;
	atomic_ullong worker_restarts;
};

struct metrics_shm *
metrics_shm_create(void)
{
	void *p = mmap(NULL, sizeof(struct metrics_shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	/* Anonymous pages are zero: every counter starts at 0 without
	 * atomic_init (all-zero bits are a valid atomic zero on Linux). */
	return p == MAP_FAILED ? NULL : p;
}

void
metrics_shm_destroy(struct metrics_shm *m)
{
	if (m != NULL)
		munmap(m, sizeof *m);
}

static void
add(atomic_ullong *c, unsigned long long v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

void
metrics_shm_request(struct metrics_shm *m, unsigned route, int status,
    int64_t micros)
{
	size_t b = 0;

	assert(m != NULL && route < METRICS_ROUTES);
	assert(status >= 100 && status <= 599);
	if (micros < 0)
		micros = 0;
	while (b < METRICS_BUCKETS && micros > le_us[b])
		b++;
	add(&m->route[route].requests[status / 100 - 1], 1);
	add(&m->route[route].latency[b], 1);
	add(&m->route[route].latency_sum_us, (unsigned long long)micros);
}

void
metrics_shm_db_busy(struct metrics_shm *m)
{
	assert(m != NULL);
	add(&m->db_busy, 1);
}

void
metrics_shm_worker_restart(struct metrics_shm *m)
{
	assert(m != NULL);
	add(&m->worker_restarts, 1);
}

static uint64_t
get(const atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
metrics_shm_read(const struct metrics_shm *m, struct metrics_snapshot *out)
{
	assert(m != NULL && out != NULL);
	for (size_t r = 0; r < METRICS_ROUTES; r++) {
		for (size_t c = 0; c < METRICS_CLASSES; c++)
			out->route[r].requests[c] = get(&m->route[r].requests[c]);
		for (size_t b = 0; b <= METRICS_BUCKETS; b++)
			out->route[r].latency[b] = get(&m->route[r].latency[b]);
		out->route[r].latency_sum_us = get(&m->route[r].latency_sum_us);
	}
	out->db_busy = get(&m->db_busy);
	out->worker_restarts = get(&m->worker_restarts);
}

void
metrics_shm_write(const struct metrics_snapshot *s, struct metrics *w,
    const char *const *route_names, size_t nroutes)
{
	assert(s != NULL && w != NULL && nroutes <= METRICS_ROUTES);
	assert(nroutes == 0 || route_names != NULL);
	metrics_family(w, "boxoffice_requests_total", METRIC_COUNTER,
	    "Requests answered by the workers, by route and status class.");
	for (size_t r = 0; r < nroutes; r++) {
		if (route_names[r] == NULL)
			continue;
		for (size_t c = 0; c < METRICS_CLASSES; c++) {
			const struct metric_label l[] = {
				{ "route", route_names[r] }, { "code", class_names[c] },
			};

			metrics_uint(w, l, 2, s->route[r].requests[c]);
		}
	}
	metrics_family(w, "boxoffice_request_duration_seconds", METRIC_HISTOGRAM,
	    "Time from a request's arrival in a worker to its answer, by route.");
	for (size_t r = 0; r < nroutes; r++) {
		const struct metric_label l[] = { { "route", route_names[r] } };
		struct metric_hist h = { METRICS_BUCKETS, metrics_latency_le,
		    s->route[r].latency, (double)s->route[r].latency_sum_us / 1e6 };

		if (route_names[r] != NULL)
			metrics_histogram(w, l, 1, &h);
	}
	metrics_family(w, "boxoffice_db_busy_total", METRIC_COUNTER,
	    "Answers refused (503) because the database stayed locked past "
	    "busy_timeout.");
	metrics_uint(w, NULL, 0, s->db_busy);
	metrics_family(w, "boxoffice_worker_restarts_total", METRIC_COUNTER,
	    "Workers that died and were replaced by the master.");
	metrics_uint(w, NULL, 0, s->worker_restarts);
}
