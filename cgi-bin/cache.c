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
	c->queue_lines = queue_lines_new();
}

void
worker_cache_free(struct worker_cache *c)
{
	seatmap_cache_free(&c->seatmaps);
	arena_free(&c->home.arena);
	queue_lines_free(c->queue_lines);
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
		queue_lines_clear(c->queue_lines);
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
