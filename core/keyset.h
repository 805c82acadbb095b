/*
 * keyset.h — one page of a buyer's long list (ledger, bookings), newest
 * first, by keyset: a page is "the rows with an id below `before`", never
 * an OFFSET, so page 1,000 costs what page 1 costs (one index range) and a
 * row added while the buyer reads does not shift the pages they have not
 * seen yet.
 *
 * The page and the API share these numbers and this shape; each list
 * binds :before and :limit from keyset_before()/keyset_fetch() and cuts
 * its rows with keyset_cut().
 */
#ifndef BOXOFFICE_KEYSET_H
#define BOXOFFICE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#define KEYSET_DEFAULT 50 /* rows a page when the caller names no limit */
#define KEYSET_MAX 200    /* the most a caller may ask for */

struct keyset {
	int64_t before; /* in: rows with id < before; 0: from the newest */
	int64_t limit;  /* in: 1..KEYSET_MAX rows */
	int64_t next;   /* out: `before` of the next (older) page; 0: none */
};

/* The first page of limit rows. */
struct keyset keyset_first(int64_t limit);
/* Parses a caller's `before` (a cursor: a positive decimal id; NULL: the
 * newest page) and limit (NULL: KEYSET_DEFAULT; else 1..KEYSET_MAX).
 * 0 when either is malformed or out of range (*k untouched). */
int keyset_parse(const char *before, const char *limit, struct keyset *k);

/* What a list binds: :before (INT64_MAX for the newest page) and :limit
 * (one more row than the page, to know whether an older page exists). */
int64_t keyset_before(const struct keyset *k);
int64_t keyset_fetch(const struct keyset *k);
/* After the list read n rows (at most keyset_fetch()): the rows the page
 * shows (n, or limit when an older row exists), and k->next set to
 * last_shown, the id of row limit-1, when there is an older page (the
 * caller passes 0 when n <= limit). */
size_t keyset_cut(struct keyset *k, size_t n, int64_t last_shown);

#endif
