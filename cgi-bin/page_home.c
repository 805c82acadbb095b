/*
 * page_home.c — the front page.
 *
 * GET / — upcoming concerts: title, artist, venue, the first date, the
 * lowest price and the seats left. Anyone may look. The list is read at
 * most once a second per worker (worker_cache_concerts, cache.c: its
 * counts may be that old; the seat maps are exact). It keeps rows, not
 * text: money and dates are formatted per request in the current currency
 * and time zone.
 */
#include "cache.h"
#include "catalog.h"
#include "outcome.h"
#include "pages.h"
#include "view.h"

void
page_home(struct req *r)
{
	struct concert_summary *list;
	struct tdict *d;
	enum bo_status s;
	size_t n;

	if ((s = worker_cache_concerts(r, &list, &n)) != BO_OK) {
		page_status(r, s);
		return;
	}
	d = view_page(r, TMPL_HOME, "Concerts");
	tdict_bool(d, "any", n > 0);
	for (size_t i = 0; i < n; i++) {
		struct tdict *c = tdict_add(d, "concerts");

		tdict_int(c, "id", list[i].id);
		tdict_str(c, "title", list[i].title);
		tdict_str(c, "artist", list[i].artist);
		tdict_str(c, "venue", list[i].venue);
		tdict_str(c, "first_date", view_date(r, list[i].first_starts_at));
		tdict_str(c, "first_time", view_time(r, list[i].first_starts_at));
		tdict_str(c, "lowest_price", view_money(r, list[i].lowest_price));
		tdict_str(c, "seats_left", view_count(r, list[i].seats_left));
		tdict_bool(c, "sold_out", list[i].seats_left == 0);
		tdict_bool(c, "more_dates", list[i].performances > 1);
		tdict_int(c, "dates", list[i].performances);
		if (list[i].sale_opens_at != 0)
			tdict_str(c, "sale_opens", view_datetime(r,
			    list[i].sale_opens_at));
	}
	view_render(r, TMPL_HOME, d);
}
