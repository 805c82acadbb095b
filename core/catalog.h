/*
 * catalog.h — concerts, their performances and seats: reading the
 * catalogue for buyers, and adding to it for operators.
 *
 * Lists are allocated from the caller's arena and live as long as it.
 */
#ifndef BOXOFFICE_CATALOG_H
#define BOXOFFICE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

struct concert_summary {
	int64_t id;
	const char *title, *artist, *venue;
	int64_t first_starts_at; /* the soonest performance still ahead */
	int64_t lowest_price;
	int64_t seats_left;      /* over every performance still ahead */
	int64_t performances;
	int64_t sale_opens_at;   /* when the first sale opens; 0: one is open
	                          * (or has closed) already */
};

struct concert {
	int64_t id;
	const char *title, *artist, *venue, *description;
};

struct performance {
	int64_t id, concert_id;
	int64_t starts_at, sale_opens_at, sale_closes_at;
	int64_t seat_count, min_price, max_price, seats_left;
	int64_t cancelled_at;    /* 0: not cancelled (refund.h) */
	/* Only from catalog_performance: a counter that moves whenever a hold
	 * of this performance is written, and when the next live hold lapses
	 * by itself (0: none). Until either, its seat map stays the same. */
	int64_t seats_version, next_lapse;
};

struct seat {
	int64_t id;
	const char *section, *row;
	int64_t number, price;
	int taken; /* held or sold, as of now */
};

/* A rectangular block of seats: rows first_row..last_row (letters), each
 * with seats 1..per_row, all at one price. */
struct seat_block {
	const char *section;
	char first_row, last_row;
	int per_row;
	int64_t price;
};

enum sale_state { SALE_NOT_YET, SALE_OPEN, SALE_CLOSED, SALE_CANCELLED };

/* Where p stands at now: before its sale, on sale, past it, or
 * cancelled by the operator (for good, whatever its dates say). */
enum sale_state performance_sale_state(const struct performance *p, int64_t now);

/* Whether the concert with these dates (catalog_concert's list) has one on
 * sale at now: the rule that lets a buyer join its queue. When none is,
 * *next_open (when not NULL) gets the soonest sale opening after now (0:
 * none ahead); when one is, 0. */
int catalog_concert_on_sale(const struct performance *perfs, size_t n,
    int64_t now, int64_t *next_open);

/* Concerts with a performance after now that is not cancelled, soonest
 * first (their dates, prices and seats left count only those). */
enum bo_status catalog_concerts(struct db *db, struct arena *a, int64_t now,
    struct concert_summary **out, size_t *n);
/* One concert and its performances after now: BO_NOT_FOUND if none. */
enum bo_status catalog_concert(struct db *db, struct arena *a, int64_t id,
    int64_t now, struct concert *c, struct performance **perfs, size_t *n);
/* One performance with its concert, and (when seats != NULL) its seat map,
 * the seats read in one transaction with the performance so the counts and
 * the cache's version agree. */
enum bo_status catalog_performance(struct db *db, struct arena *a, int64_t id,
    int64_t now, struct concert *c, struct performance *p,
    struct seat **seats, size_t *n);

/* One seat of a performance, taken or not as of now: BO_NOT_FOUND when the
 * seat is not of that performance. */
enum bo_status catalog_seat(struct db *db, struct arena *a, int64_t perf,
    int64_t seat, int64_t now, struct seat *out);

/* Operators. Each runs in one write transaction. Text that is not UTF-8
 * is BO_INVALID, and nothing is written. */
enum bo_status catalog_add_concert(struct db *db, const char *title,
    const char *artist, const char *venue, const char *description,
    int64_t *id);
enum bo_status catalog_add_performance(struct db *db, int64_t concert_id,
    int64_t starts_at, int64_t sale_opens_at, int64_t sale_closes_at,
    const struct seat_block *blocks, size_t nblocks, int64_t *id);

#endif
