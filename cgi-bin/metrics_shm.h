/*
 * metrics_shm.h — the service's counters, shared by the master and every
 * worker, so that a scrape of /metrics (which reaches one worker) sees
 * the whole service.
 *
 * One fixed struct of C11 atomic 64-bit counters in a MAP_SHARED |
 * MAP_ANONYMOUS mapping that the master makes before it forks: every
 * worker, and every worker started later to replace a dead one, inherits
 * the same pages. Adding is one relaxed atomic add (lock-free on every
 * platform we build for: a static assert says so, since a lock inside
 * libatomic would not be shared between processes). Nothing here is
 * ever written to disk: counters start at zero when the service starts,
 * which Prometheus's rate() expects of counters.
 *
 * What is counted here is what only the processes know: requests by
 * route and status class, their latency, answers refused because the
 * database stayed busy, worker restarts. What the database knows (queue
 * lengths, seats sold, holds, WAL size) is read at scrape time instead.
 *
 * Routes are small integers chosen by the caller (the router's enum,
 * below METRICS_ROUTES), named only when written out.
 */
#ifndef BOXOFFICE_METRICS_SHM_H
#define BOXOFFICE_METRICS_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "metrics_text.h"

/* Route slots: more than the router has (a static assert there should
 * say R__MAX <= METRICS_ROUTES when it is wired). */
#define METRICS_ROUTES 64
/* Status classes 1xx to 5xx. */
#define METRICS_CLASSES 5
/* Finite latency buckets; the bounds are metrics_latency_le[]. */
#define METRICS_BUCKETS 13

/* The bucket bounds in seconds, 1 ms to 10 s. */
extern const double metrics_latency_le[METRICS_BUCKETS];

struct metrics_shm;

/* A plain copy of the counters, read one by one (each is exact; the
 * set is not one instant, which Prometheus does not need). */
struct metrics_snapshot {
	struct {
		uint64_t requests[METRICS_CLASSES]; /* [0] 1xx … [4] 5xx */
		uint64_t latency[METRICS_BUCKETS + 1]; /* per bucket, last: > 10 s */
		uint64_t latency_sum_us;
	} route[METRICS_ROUTES];
	uint64_t db_busy;         /* answers refused: the database stayed busy */
	uint64_t worker_restarts; /* workers that died and were replaced */
};

/*
 * Maps zeroed shared counters. Call in the master before forking. NULL
 * with errno set when mmap fails. The mapping lives until
 * metrics_shm_destroy() in the master (or the process's exit).
 */
struct metrics_shm *metrics_shm_create(void);
void metrics_shm_destroy(struct metrics_shm *m);

/*
 * Counts one answered request of route (below METRICS_ROUTES) with its
 * HTTP status (100 to 599) that took micros microseconds (a negative
 * time counts as 0). Any process that inherited m may call it.
 */
void metrics_shm_request(struct metrics_shm *m, unsigned route, int status,
    int64_t micros);
/* Counts one answer refused because the database stayed busy (503). */
void metrics_shm_db_busy(struct metrics_shm *m);
/* Counts one worker that died and was replaced (the master calls it). */
void metrics_shm_worker_restart(struct metrics_shm *m);

/* Copies every counter into the caller's out. */
void metrics_shm_read(const struct metrics_shm *m, struct metrics_snapshot *out);

/*
 * Writes the snapshot's families to w: boxoffice_requests_total{route,
 * code}, boxoffice_request_duration_seconds{route} (a histogram),
 * boxoffice_db_busy_total and boxoffice_worker_restarts_total. Routes
 * 0 .. nroutes-1 (nroutes at most METRICS_ROUTES) are written under
 * route_names[i]; a NULL name skips its route. Every named route is
 * written even at zero, so that rate() has a start.
 */
void metrics_shm_write(const struct metrics_snapshot *s, struct metrics *w,
    const char *const *route_names, size_t nroutes);

#endif
