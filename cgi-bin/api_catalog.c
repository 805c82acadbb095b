/*
 * api_catalog.c — concerts, dates and seats through the JSON API (§4.2).
 *
 * GET /api/v1/concerts                      anyone: upcoming concerts
 * GET /api/v1/concerts/{id}/performances    bearer + X-Queue-Token (ACTIVE
 *                                           for the concert): the dates
 * GET /api/v1/performances/{id}/seats       bearer + X-Queue-Token: every
 *                                           seat with price and availability
 *
 * The seat list is written directly (json.h), not built as a tree: a hall
 * has thousands of seats.
 */
#include "api.h"
#include "catalog.h"
#include "json.h"
#include "pages.h"

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
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I}",
		    "id", (json_int_t)list[i].id, "title", list[i].title,
		    "artist", list[i].artist, "venue", list[i].venue,
		    "firstStartsAt", (json_int_t)list[i].first_starts_at,
		    "lowestPrice", (json_int_t)list[i].lowest_price,
		    "seatsLeft", (json_int_t)list[i].seats_left));
	api_send(r, 200, json_pack("{s:o, s:s}", "concerts", arr, "currency",
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
	api_send(r, 200, json_pack("{s:I, s:s, s:o}", "concertId", (json_int_t)c.id,
	    "title", c.title, "performances", arr));
}

void
api_seats(struct req *r)
{
	struct performance p;
	struct concert c;
	struct seat *seats;
	struct buf *b = r->body;
	enum bo_status s;
	size_t n;
	int open;

	s = catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p, NULL, NULL);
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	if (!api_gate(r, c.id))
		return;
	s = catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p, &seats, &n);
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	open = performance_sale_state(&p, r->now) == SALE_OPEN;
	json_begin(r, 200);
	req_header(r, "Cache-Control", "no-store");
	buf_puts(b, "{\"performanceId\":");
	buf_int(b, p.id);
	buf_puts(b, ",\"onSale\":");
	buf_puts(b, open ? "true" : "false");
	buf_puts(b, ",\"seats\":[");
	for (size_t i = 0; i < n; i++) {
		buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		buf_int(b, seats[i].id);
		buf_puts(b, ",\"section\":");
		json_str(b, seats[i].section);
		buf_puts(b, ",\"row\":");
		json_str(b, seats[i].row);
		buf_puts(b, ",\"number\":");
		buf_int(b, seats[i].number);
		buf_puts(b, ",\"price\":");
		buf_int(b, seats[i].price);
		buf_puts(b, open && !seats[i].taken ? ",\"available\":true}" :
		    ",\"available\":false}");
	}
	buf_puts(b, "]}\n");
}
