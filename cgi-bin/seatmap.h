/*
 * seatmap.h — the seat grid of a performance as HTML, rendered once and
 * kept by the worker until it changes.
 *
 * A grid changes when a hold of its performance is written (the
 * seats_version counter, kept by triggers) or when the next live hold
 * lapses by itself (next_lapse), or when its sale opens or closes. The
 * cached grid carries no buyer's pick: the page splices that in.
 */
#ifndef BOXOFFICE_SEATMAP_H
#define BOXOFFICE_SEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SEATMAP_CACHE_SLOTS 8

struct seatmap_slot {
	int64_t perf, version, valid_until;
	int open;
	struct buf html;
};

struct seatmap_cache {
	struct seatmap_slot slot[SEATMAP_CACHE_SLOTS];
};

struct req;
struct performance;

/*
 * The grid of p: cached, or read and rendered now. NULL on a database
 * error (with *status set). Owned by the worker's cache: valid until the
 * next call.
 */
const struct buf *seatmap_grid(struct req *r, const struct performance *p,
    int open, int *status);

/*
 * Where in grid the picked seat's button takes its "picked" attributes:
 * the offset just after value="ID", or 0 when that seat is not a free seat
 * of this grid.
 */
size_t seatmap_pick_offset(const struct buf *grid, int64_t seat);

/* Frees every cached grid (worker exit). */
void seatmap_cache_free(struct seatmap_cache *c);

#endif
