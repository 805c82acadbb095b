/*
 * cache.h — what a worker keeps between requests, with one owner.
 *
 * Each is kept because its page measured too slow without (README, What
 * the benchmark shows):
 *   - seatmaps: the rendered seat grids, HTML and JSON (seatmap.c), each
 *     keyed by its performance's seats_version, next lapse and sale state;
 *   - home: the front page's concert list, read at most once a second;
 *   - queue_states: the public state of a concert's waiting line
 *     (core/queue.h), read at most once a second per concert: what the
 *     waiting room without JavaScript is rendered from (with it, the
 *     browser reads the same state through nginx's cache).
 * Every one of them also depends on the settings (the currency of the
 * prices, the time zone of the dates, queue_capacity for when the line
 * moves). Rather than each keying on the settings version, the whole
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
#include "queue.h"
#include "seatmap.h"
#include "status.h"

struct req;

#define CACHE_QUEUE_STATES 8  /* concerts whose line state is kept */

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
	struct queue_public queue_states[CACHE_QUEUE_STATES]; /* by concert
	                          * id modulo; at == 0 or another concert: none */
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

/* This second's public state of a concert's line (queue_public_state),
 * read now or earlier in the same second. Copied into *out. */
enum bo_status worker_cache_queue_state(struct req *r, int64_t concert_id,
    struct queue_public *out);

#endif
