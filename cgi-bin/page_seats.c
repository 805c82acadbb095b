/*
 * page_seats.c — the seat map of one performance.
 *
 * GET /performances/{id}[?seat=SEAT] — login and an ACTIVE queue ticket for
 * the performance's concert required (else to the waiting room or the
 * concert page). Sections, each a
 * grid of rows; every seat a button showing free or taken (held or sold),
 * with its section, row and number as its title and the section's price
 * in the heading. The grid is one GET form: choosing a seat (click, tap,
 * or Tab and Enter) reloads the map with that seat picked and its details
 * shown — no JavaScript needed, and the back button walks the choices.
 *
 * The grid is written with the escaping writers of html.h directly, not
 * through a template loop: a hall has thousands of seats.
 */
#include <string.h>

#include "catalog.h"
#include "html.h"
#include "pages.h"
#include "parse.h"
#include "queue.h"
#include "view.h"

struct section_stats {
	int64_t min_price, max_price, free, total;
};

static void
section_stats(const struct seat *seats, size_t n, size_t from,
    struct section_stats *st)
{
	memset(st, 0, sizeof *st);
	st->min_price = seats[from].price;
	st->max_price = seats[from].price;
	for (size_t i = from; i < n && seats[i].section == seats[from].section; i++) {
		if (seats[i].price < st->min_price) st->min_price = seats[i].price;
		if (seats[i].price > st->max_price) st->max_price = seats[i].price;
		st->free += !seats[i].taken;
		st->total++;
	}
}

static void
section_head(struct req *r, struct buf *b, const struct seat *first,
    const struct section_stats *st)
{
	html_raw_trusted(b, "<section class=\"sec\"><h3>");
	html_puts(b, first->section);
	html_raw_trusted(b, " <span class=\"price\">");
	html_puts(b, view_money(r, st->min_price));
	if (st->max_price != st->min_price) {
		html_raw_trusted(b, "–");
		html_puts(b, view_money(r, st->max_price));
	}
	html_raw_trusted(b, "</span> <span class=\"free\">");
	html_puts(b, view_count(r, st->free));
	html_raw_trusted(b, " of ");
	html_puts(b, view_count(r, st->total));
	html_raw_trusted(b, " free</span></h3><div class=\"rows\">");
}

/* Writes the seat grid; *picked is set to the seat of ?seat= if shown. */
static void
seat_grid(struct req *r, struct buf *b, const struct seat *seats, size_t n,
    int open, int64_t pick, const struct seat **picked)
{
	for (size_t i = 0; i < n; i++) {
		const struct seat *s = &seats[i];
		int new_section = i == 0 || s->section != seats[i - 1].section;
		int new_row = new_section || s->row != seats[i - 1].row;

		if (new_section) {
			struct section_stats st;

			if (i > 0)
				html_raw_trusted(b, "</div></div></section>");
			section_stats(seats, n, i, &st);
			section_head(r, b, s, &st);
		}
		if (new_row) {
			if (!new_section)
				html_raw_trusted(b, "</div>");
			html_raw_trusted(b, "<div class=\"row\" role=\"group\" aria-label=\"Row ");
			html_puts(b, s->row);
			html_raw_trusted(b, "\"><span class=\"rl\" aria-hidden=\"true\">");
			html_puts(b, s->row);
			html_raw_trusted(b, "</span>");
		}
		buf_printf(b, "<button name=\"seat\" value=\"%lld\"", (long long)s->id);
		if (s->taken || !open)
			html_raw_trusted(b, " disabled");
		if (s->taken)
			html_raw_trusted(b, " class=\"t\"");
		else if (s->id == pick) {
			html_raw_trusted(b, " class=\"p\" id=\"pick\" aria-pressed=\"true\"");
			*picked = s;
		}
		html_raw_trusted(b, " aria-label=\"");
		html_puts(b, s->section);
		html_raw_trusted(b, ", row ");
		html_puts(b, s->row);
		buf_printf(b, ", seat %lld%s\">%lld</button>", (long long)s->number,
		    s->taken ? ", taken" : "", (long long)s->number);
	}
	if (n > 0)
		html_raw_trusted(b, "</div></div></section>");
}

void
page_performance(struct req *r)
{
	struct performance p;
	struct concert c;
	struct seat *seats;
	const struct seat *picked = NULL;
	struct buf grid = BUF_INIT;
	struct queue_view q;
	struct tdict *d;
	enum bo_status s;
	enum sale_state sale;
	int64_t pick = 0;
	size_t n;

	/* The gate first, on the cheap read: the seats only for the admitted. */
	s = catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p, NULL, NULL);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	if (!queue_gate(r, c.id, &q))
		return;
	s = catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p, &seats, &n);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	if (req_query(r, "seat") != NULL &&
	    !parse_int64(req_query(r, "seat"), 1, INT64_MAX, &pick)) {
		page_error(r, 400, "That seat number is not one of ours.");
		return;
	}
	sale = performance_sale_state(&p, r->now);
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
	tdict_str(d, "turn_until", view_time(r, q.active_until));
	tdict_bool(d, "sale_closed", sale == SALE_CLOSED);
	if (sale == SALE_NOT_YET)
		tdict_str(d, "opens", view_datetime(r, p.sale_opens_at));
	seat_grid(r, &grid, seats, n, sale == SALE_OPEN, pick, &picked);
	tdict_html(d, "grid", grid.data ? grid.data : "", grid.len);
	buf_free(&grid);
	if (picked != NULL) {
		struct tdict *ps = tdict_add(d, "picked");

		tdict_int(ps, "seat_id", picked->id);
		tdict_str(ps, "section", picked->section);
		tdict_str(ps, "row", picked->row);
		tdict_int(ps, "number", picked->number);
		tdict_str(ps, "price", view_money(r, picked->price));
	} else if (pick != 0) {
		tdict_bool(d, "pick_gone", 1);
	}
	view_render(r, TMPL_PERFORMANCE, d);
}
