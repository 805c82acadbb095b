/*
 * cache.c — the worker's cache (see cache.h).
 */
#include "cache.h"

#include <string.h>

#include "queue.h"
#include "req.h"

void
worker_cache_init(struct worker_cache *c)
{
	memset(c, 0, sizeof *c);
	c->settings_version = -1; /* none read yet: the first look empties */
}

void
worker_cache_free(struct worker_cache *c)
{
	seatmap_cache_free(&c->seatmaps);
	arena_free(&c->home.arena);
	memset(c, 0, sizeof *c);
}

struct worker_cache *
worker_cache(struct req *r)
{
	struct worker_cache *c = &r->app->cache;
	int64_t version = req_settings(r)->version;

	if (c->settings_version != version) {
		seatmap_cache_clear(&c->seatmaps);
		c->home.rows = NULL;
		arena_reset(&c->home.arena);
		memset(c->queue_states, 0, sizeof c->queue_states);
		c->settings_version = version;
	}
	return c;
}

enum bo_status
worker_cache_concerts(struct req *r, struct concert_summary **list, size_t *n)
{
	struct home_list *h = &worker_cache(r)->home;
	enum bo_status s;

	if (h->rows == NULL || h->at != r->now) {
		arena_reset(&h->arena);
		h->rows = NULL;
		s = catalog_concerts(r->db, &h->arena, r->now, &h->rows, &h->n);
		if (s != BO_OK) {
			h->rows = NULL;
			return s;
		}
		if (h->rows == NULL) /* no concerts: still an answer */
			h->rows = arena_alloc(&h->arena, 1);
		h->at = r->now;
	}
	*list = h->rows;
	*n = h->n;
	return BO_OK;
}

enum bo_status
worker_cache_queue_state(struct req *r, int64_t concert_id,
    struct queue_public *out)
{
	struct queue_public *p = &worker_cache(r)->queue_states[(uint64_t)
	    concert_id % CACHE_QUEUE_STATES];
	enum bo_status s;

	if (p->concert_id != concert_id || p->at != r->now) {
		s = queue_public_state(r->db, concert_id, r->now, req_settings(r), p);
		if (s != BO_OK) {
			memset(p, 0, sizeof *p);
			return s;
		}
	}
	*out = *p;
	return BO_OK;
}
