/*
 * cache.h — what a worker keeps between requests, with one owner.
 *
 * Each is kept because its page measured too slow without (README, What
 * the benchmark shows):
 *   - seatmaps: the rendered seat grids, HTML and JSON (seatmap.c), each
 *     keyed by its performance's seats_version, next lapse and sale state;
 *   - home: the front page's concert list, read at most once a second;
 *   - queue_lines: the snapshots of long waiting lines (core/queue.h),
 *     taken at most once a second per concert.
 * Every one of them also depends on the settings (the currency of the
 * prices, the time zone of the dates, abandon_after for who is still in
 * a line). Rather than each keying on the settings version, the whole
 * cache is: worker_cache() empties all of it when the version the
 * request reads differs from the one it was filled under. The version is
 * moved by a trigger on every settings write (boxoffice-admin set, or an
 * edit by hand), so no worker shows a change late.
 *
 * One per worker process, in its struct app (req.h): no locking, nothing
 * shared between processes. A new cache goes here, with its reset in
 * worker_cache() and its freeing in worker_cache_free(). Not for per-request
 * state: that lives in the request's arena.
 */
#ifndef BOXOFFICE_CACHE_H
#define BOXOFFICE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "catalog.h"
#include "seatmap.h"
#include "status.h"

struct queue_lines;
struct req;

/* The front page's concert list as read in second at. */
struct home_list {
	int64_t at;
	struct concert_summary *rows; /* NULL: not read (or emptied) */
	size_t n;
	struct arena arena;           /* rows and their strings */
};

struct worker_cache {
	int64_t settings_version; /* what everything below was made under */
	struct seatmap_cache seatmaps;
	struct home_list home;
	struct queue_lines *queue_lines;
};

/* Before the first request, and after the last (frees everything). */
void worker_cache_init(struct worker_cache *c);
void worker_cache_free(struct worker_cache *c);

/* The worker's cache for request r, emptied first when the settings r
 * reads are not those it was filled under. Owned by the worker. */
struct worker_cache *worker_cache(struct req *r);

/* This second's concert list (catalog_concerts), read now or earlier in
 * the same second. Rows and strings are the cache's: valid until the
 * next call. */
enum bo_status worker_cache_concerts(struct req *r,
    struct concert_summary **list, size_t *n);

#endif
