/*
 * seatmap.h — the seat grid of a performance as HTML, rendered once and
 * kept by the worker until it changes.
 *
 * Two renderings are kept: the HTML grid of the seat map page and the JSON
 * body of GET /api/v1/performances/{id}/seats. A grid changes when a hold
 * of its performance is written (the
 * seats_version counter, kept by triggers) or when the next live hold
 * lapses by itself (next_lapse), or when its sale opens or closes; and
 * every grid when any setting is written (the prices are shown in the
 * currency): the worker's cache, which owns them, is emptied then
 * (cache.h). The cached grid carries no buyer's pick: the page splices
 * that in.
 */
#ifndef BOXOFFICE_SEATMAP_H
#define BOXOFFICE_SEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

#define SEATMAP_CACHE_SLOTS 16

enum seatmap_format { SEATMAP_HTML, SEATMAP_JSON, SEATMAP__MAX };

/* How many price colours a hall has (style.css: .t0 … .t4). */
#define SEATMAP_TIERS 5

/* A taken seat in the HTML grid: its attributes after value="ID" (the
 * page marks the buyer's own seats by replacing them, and the slot's
 * taken words after the seat's number by its yours words). */
#define SEATMAP_TAKEN_ATTRS " disabled class=\"t\""

/* The HTML format's out is three parts, one after the other: the
 * <option>s of the best-available form [0, options_end), the overview of
 * the sections [options_end, overview_end), and the grid of seats
 * [overview_end, len). */
struct seatmap_slot {
	int64_t perf, version, valid_until;
	int open;
	enum seatmap_format format;
	int lang;          /* the HTML's language (view_lang); 0 for JSON */
	struct buf out;
	/* The HTML's words after a seat's number, for screen readers, in
	 * its language: a taken seat's (", taken", as the grid has them)
	 * and one's own seat's (", yours", which the page puts in their
	 * place); hidden on screen. Empty for JSON. */
	struct buf taken, yours;
	size_t options_end, overview_end;
};

struct seatmap_cache {
	struct seatmap_slot slot[SEATMAP_CACHE_SLOTS];
};

struct req;
struct performance;

/*
 * The grid of p in format: cached, or read and rendered now. NULL on a
 * database error (with *status set). Owned by the worker's cache: valid
 * until the next call.
 */
const struct buf *seatmap_grid(struct req *r, const struct performance *p,
    int open, enum seatmap_format format, enum bo_status *status);

/* The same, as the whole slot (the HTML format's parts). */
const struct seatmap_slot *seatmap_get(struct req *r,
    const struct performance *p, int open, enum seatmap_format format,
    enum bo_status *status);

/* Where in grid a taken seat's SEATMAP_TAKEN_ATTRS start, or 0 when that
 * seat is not a taken seat of this grid. */
size_t seatmap_taken_offset(const struct buf *grid, int64_t seat);

/*
 * Where in grid the picked seat's button takes its "picked" attributes:
 * the offset just after value="ID", or 0 when that seat is not a free seat
 * of this grid.
 */
size_t seatmap_pick_offset(const struct buf *grid, int64_t seat);

/* Forgets every cached grid (keeping the memory), and frees them all
 * (worker exit); for the worker's cache (cache.c). */
void seatmap_cache_clear(struct seatmap_cache *c);
void seatmap_cache_free(struct seatmap_cache *c);

#endif
