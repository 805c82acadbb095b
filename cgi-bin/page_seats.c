/*
 * page_seats.c — the seat map of one performance.
 *
 * GET /performances/{id}[?seat=SEAT] — login and an ACTIVE queue ticket for
 * the performance's concert required (else to the waiting room or the
 * concert page). Sections, each a grid of rows; every seat a button showing
 * free or taken (held or sold), labelled with section, row and number for
 * screen readers, the section's price in its heading. The grid is one GET
 * form: choosing a seat (click, tap, or Tab and Enter) reloads the map at
 * #pick with that seat picked and its details in a bar at the bottom — no
 * JavaScript needed, and the back button walks the choices.
 *
 * The pick bar holds the seat (POST /performances/{id}/holds, page_holds.c);
 * the buyer's live holds for the date are listed above the map.
 *
 * The grid comes from the worker's cache (seatmap.c); the buyer's pick is
 * spliced in at render time, so one cached grid serves every buyer.
 */
#include "catalog.h"
#include "hold.h"
#include "pages.h"
#include "parse.h"
#include "queue.h"
#include "seatmap.h"
#include "view.h"

/* Fills the picked seat's panel; 0 when that seat cannot be picked. */
static int
picked_panel(struct req *r, struct tdict *d, int64_t perf, int64_t seat_id)
{
	struct seat seat;
	struct tdict *ps;

	if (catalog_seat(r->db, &r->arena, perf, seat_id, r->now, &seat) != BO_OK ||
	    seat.taken)
		return 0;
	ps = tdict_add(d, "picked");
	tdict_int(ps, "seat_id", seat.id);
	tdict_str(ps, "section", seat.section);
	tdict_str(ps, "row", seat.row);
	tdict_int(ps, "number", seat.number);
	tdict_str(ps, "price", view_money(r, seat.price));
	return 1;
}

/* The buyer's live holds for this date, with their deadlines. */
static int
my_holds(struct req *r, struct tdict *d, int64_t perf)
{
	struct held_seat *h;
	size_t n;

	if (holds_mine(r->db, &r->arena, r->session.user_id, perf, r->now, &h, &n)
	    != BO_OK)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct tdict *hd = tdict_add(d, "holds");

		tdict_int(hd, "hold_id", h[i].hold_id);
		tdict_str(hd, "section", h[i].section);
		tdict_str(hd, "row", h[i].row);
		tdict_int(hd, "number", h[i].number);
		tdict_str(hd, "price", view_money(r, h[i].price));
		tdict_str(hd, "until", view_clock(r, h[i].expires_at));
	}
	tdict_bool(d, "any_holds", n > 0);
	tdict_int(d, "hold_count", (int64_t)n);
	return 1;
}

/* The seat map with pick (0: none), answering status, with a problem
 * notice ("taken", "limit") when not NULL. */
static void
performance(struct req *r, int64_t pick, enum http_status status,
    const char *problem)
{
	struct performance p;
	struct concert c;
	struct queue_view q;
	const struct buf *grid;
	struct tdict *d;
	enum bo_status s;
	enum sale_state sale;
	size_t at = 0;
	int failed;

	s = catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p, NULL, NULL);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	if (!queue_gate(r, c.id, &q))
		return;
	sale = performance_sale_state(&p, r->now);
	if ((grid = seatmap_grid(r, &p, sale == SALE_OPEN, SEATMAP_HTML,
	    &failed)) == NULL) {
		page_status(r, (enum bo_status)failed);
		return;
	}
	r->status = status;
	d = view_page(r, arena_printf(&r->arena, "%s — seats", c.title));
	tdict_int(d, "concert_id", c.id);
	tdict_str(d, "concert_title", c.title);
	tdict_str(d, "artist", c.artist);
	tdict_str(d, "venue", c.venue);
	tdict_int(d, "pid", p.id);
	tdict_str(d, "date", view_date(r, p.starts_at));
	tdict_str(d, "time", view_time(r, p.starts_at));
	tdict_str(d, "seats_left", view_count(r, p.seats_left));
	tdict_str(d, "seat_count", view_count(r, p.seat_count));
	tdict_bool(d, "on_sale", sale == SALE_OPEN);
	tdict_bool(d, "sale_closed", sale == SALE_CLOSED);
	tdict_str(d, "turn_until", view_time(r, q.active_until));
	if (sale == SALE_NOT_YET)
		tdict_str(d, "opens", view_datetime(r, p.sale_opens_at));
	if (problem != NULL && problem[0] == 't') {
		struct seat gone;

		if (catalog_seat(r->db, &r->arena, p.id, pick, r->now, &gone) == BO_OK)
			tdict_str(d, "seat_taken", arena_printf(&r->arena,
			    "%s · Row %s · Seat %lld", gone.section, gone.row,
			    (long long)gone.number));
		pick = 0; /* taken: nothing to show as picked */
	} else if (problem != NULL) {
		tdict_bool(d, "hold_limit", 1);
	}
	tdict_int(d, "max_holds", req_settings(r)->max_holds);
	my_holds(r, d, p.id);
	if (pick != 0) {
		at = seatmap_pick_offset(grid, pick);
		if (at == 0 || !picked_panel(r, d, p.id, pick)) {
			at = 0;
			tdict_bool(d, "pick_gone", 1);
		}
	}
	/* The grid in two parts around the picked seat's attributes. */
	tdict_html_ref(d, "grid_before", grid->data, at ? at : grid->len);
	tdict_bool(d, "grid_picked", at != 0);
	tdict_html_ref(d, "grid_after", grid->data + (at ? at : grid->len),
	    at ? grid->len - at : 0);
	view_render(r, TMPL_PERFORMANCE, d);
}

void
page_performance(struct req *r)
{
	int64_t pick = 0;

	if (req_query(r, "seat") != NULL &&
	    !parse_int64(req_query(r, "seat"), 1, INT64_MAX, &pick)) {
		page_error(r, HTTP_400, "That seat number is not one of ours.");
		return;
	}
	performance(r, pick, HTTP_200, NULL);
}

void
page_performance_again(struct req *r, enum http_status status,
    const char *problem,
    int64_t seat)
{
	performance(r, seat, status, problem);
}
