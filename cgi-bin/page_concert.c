/*
 * page_concert.c — one concert.
 *
 * GET /concerts/{id} — details and the performances still ahead: date,
 * time, seats left, sale state, and a link to each seat map. Anyone may
 * look; the seat maps need a login.
 */
#include "catalog.h"
#include "pages.h"
#include "view.h"

void
page_concert(struct req *r)
{
	struct performance *perfs;
	struct concert c;
	struct tdict *d;
	enum bo_status s;
	size_t n;

	s = catalog_concert(r->db, &r->arena, r->id, r->now, &c, &perfs, &n);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	d = view_page(r, c.title);
	tdict_int(d, "id", c.id);
	tdict_str(d, "concert_title", c.title);
	tdict_str(d, "artist", c.artist);
	tdict_str(d, "venue", c.venue);
	tdict_str(d, "description", c.description);
	tdict_bool(d, "any", n > 0);
	for (size_t i = 0; i < n; i++) {
		struct tdict *p = tdict_add(d, "performances");
		enum sale_state sale = performance_sale_state(&perfs[i], r->now);

		tdict_int(p, "pid", perfs[i].id);
		tdict_str(p, "date", view_date(r, perfs[i].starts_at));
		tdict_str(p, "time", view_time(r, perfs[i].starts_at));
		tdict_str(p, "seats_left", view_count(r, perfs[i].seats_left));
		tdict_str(p, "seat_count", view_count(r, perfs[i].seat_count));
		tdict_str(p, "price_from", view_money(r, perfs[i].min_price));
		tdict_bool(p, "on_sale", sale == SALE_OPEN && perfs[i].seats_left > 0);
		tdict_bool(p, "sold_out", sale == SALE_OPEN && perfs[i].seats_left == 0);
		if (sale == SALE_NOT_YET)
			tdict_str(p, "opens", view_datetime(r, perfs[i].sale_opens_at));
		tdict_bool(p, "closed", sale == SALE_CLOSED);
	}
	view_render(r, TMPL_CONCERT, d);
}
