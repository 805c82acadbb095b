/*
 * api_catalog.c — concerts, dates and seats through the JSON API.
 *
 * GET /api/v1/concerts                      anyone: upcoming concerts
 * GET /api/v1/concerts/{id}/performances    bearer + X-Queue-Token (ACTIVE
 *                                           for the concert): the dates
 * GET /api/v1/performances/{id}/seats       bearer + X-Queue-Token: every
 *                                           seat with price and availability
 *
 * Stored text goes out through json_text() (json.h): bytes that are not
 * UTF-8 become U+FFFD, never a missing concert or a failed answer.
 *
 * The seat list comes from the worker's seat map cache (seatmap.c), the
 * same one the HTML seat map uses, in its JSON rendering.
 */
#include "api.h"
#include "catalog.h"
#include "json.h"
#include "seatmap.h"

void
api_concerts(struct req *r)
{
	struct concert_summary *list;
	enum bo_status s;
	json_t *arr;
	size_t n;

	if ((s = catalog_concerts(r->db, &r->arena, r->now, &list, &n)) != BO_OK) {
		api_status(r, s);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:o, s:I, s:I, s:I}",
		    "id", (json_int_t)list[i].id, "title", json_text(list[i].title),
		    "artist", json_text(list[i].artist),
		    "venue", json_text(list[i].venue),
		    "firstStartsAt", (json_int_t)list[i].first_starts_at,
		    "lowestPrice", (json_int_t)list[i].lowest_price,
		    "seatsLeft", (json_int_t)list[i].seats_left));
	api_send(r, HTTP_200, json_pack("{s:o, s:s}", "concerts", arr, "currency",
	    req_settings(r)->currency));
}

void
api_performances(struct req *r)
{
	struct performance *perfs;
	struct concert c;
	enum bo_status s;
	json_t *arr;
	size_t n;

	s = catalog_concert(r->db, &r->arena, r->id, r->now, &c, &perfs, &n);
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	if (!api_gate(r, c.id))
		return;
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		enum sale_state sale = performance_sale_state(&perfs[i], r->now);

		json_array_append_new(arr, json_pack(
		    "{s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I}",
		    "id", (json_int_t)perfs[i].id,
		    "startsAt", (json_int_t)perfs[i].starts_at,
		    "saleOpensAt", (json_int_t)perfs[i].sale_opens_at,
		    "saleClosesAt", (json_int_t)perfs[i].sale_closes_at,
		    "available", sale == SALE_OPEN && perfs[i].seats_left > 0,
		    "seatsLeft", (json_int_t)perfs[i].seats_left,
		    "seatCount", (json_int_t)perfs[i].seat_count,
		    "minPrice", (json_int_t)perfs[i].min_price,
		    "maxPrice", (json_int_t)perfs[i].max_price));
	}
	api_send(r, HTTP_200, json_pack("{s:I, s:o, s:o}", "concertId", (json_int_t)c.id,
	    "title", json_text(c.title), "performances", arr));
}

void
api_seats(struct req *r)
{
	const struct buf *seats;
	struct performance p;
	struct concert c;
	enum bo_status s;
	enum bo_status failed;

	s = catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p, NULL, NULL);
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	if (!api_gate(r, c.id))
		return;
	seats = seatmap_grid(r, &p, performance_sale_state(&p, r->now) == SALE_OPEN,
	    SEATMAP_JSON, &failed);
	if (seats == NULL) {
		api_status(r, failed);
		return;
	}
	json_begin(r, HTTP_200);
	buf_put(r->body, seats->data, seats->len);
}
