/*
 * seatmap.c — rendering and caching seat grids (see seatmap.h).
 *
 * Written with the escaping writers of html.h directly, not through a
 * template loop: a hall has thousands of seats. Each seat is as short as
 * it can be (about 40 bytes): its row's group label names section and row
 * for screen readers, a disabled button says taken. One slot per
 * performance id modulo SEATMAP_CACHE_SLOTS.
 */
#include "seatmap.h"

#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "catalog.h"
#include "html.h"
#include "json.h"
#include "req.h"
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
	/* TRANSLATORS: a section's free seats: "12 of 40 free". */
	html_puts(b, arena_printf(&r->arena, tr(r, "%1$s of %2$s free"),
	    view_count(r, st->free), view_count(r, st->total)));
	html_raw_trusted(b, "</span></h3><div class=\"rows\">");
}

/* Each seat is a button of the GET form: value is the seat id; taken
 * seats, and all seats outside the sale, are disabled. */
static void
render(struct req *r, struct buf *b, const struct seat *seats, size_t n, int open)
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
			/* The row's label carries section and row for screen
			 * readers; each seat's own text is its number. */
			html_raw_trusted(b, "<div class=\"row\" role=\"group\" aria-label=\"");
			/* TRANSLATORS: a row of seats, for screen readers:
			 * "Floor A, row 3". */
			html_puts(b, arena_printf(&r->arena, tr(r, "%1$s, row %2$s"),
			    s->section, s->row));
			html_raw_trusted(b, "\"><span class=\"rl\" aria-hidden=\"true\">");
			html_puts(b, s->row);
			html_raw_trusted(b, "</span>");
		}
		html_raw_trusted(b, "<button name=\"seat\" value=\"");
		buf_int(b, s->id);
		html_raw_trusted(b, "\"");
		if (s->taken)
			html_raw_trusted(b, " disabled class=\"t\"");
		else if (!open)
			html_raw_trusted(b, " disabled");
		html_raw_trusted(b, ">");
		buf_int(b, s->number);
		html_raw_trusted(b, "</button>");
	}
	if (n > 0)
		html_raw_trusted(b, "</div></div></section>");
}

/* The API's seat list: every seat with its price and availability. */
static void
render_json(struct buf *b, int64_t perf, const struct seat *seats, size_t n,
    int open)
{
	buf_puts(b, "{\"performanceId\":");
	buf_int(b, perf);
	buf_puts(b, open ? ",\"onSale\":true,\"seats\":[" :
	    ",\"onSale\":false,\"seats\":[");
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

const struct buf *
seatmap_grid(struct req *r, const struct performance *p, int open,
    enum seatmap_format format, enum bo_status *status)
{
	/* Everything that shapes a grid is in its key: the seats (version,
	 * next lapse), the sale (open) and, for the page, the language of
	 * its words; the settings (the currency of its prices) are the whole
	 * cache's key (worker_cache). */
	int lang = format == SEATMAP_HTML ? view_lang(r) : 0;
	struct seatmap_slot *slot = &worker_cache(r)->seatmaps.slot[
	    (((uint64_t)p->id * SEATMAP__MAX + format) * LANG_MAX + (unsigned)lang)
	    % SEATMAP_CACHE_SLOTS];
	struct performance again;
	struct concert c;
	struct seat *seats;
	size_t n;
	enum bo_status s;

	if (slot->out.len > 0 && slot->perf == p->id && slot->format == format &&
	    slot->lang == lang && slot->version == p->seats_version && slot->open == open &&
	    (slot->valid_until == 0 || r->now < slot->valid_until))
		return &slot->out;
	s = catalog_performance(r->db, &r->arena, p->id, r->now, &c, &again,
	    &seats, &n);
	if (s != BO_OK) {
		*status = s;
		return NULL;
	}
	buf_reset(&slot->out);
	if (format == SEATMAP_HTML)
		render(r, &slot->out, seats, n, open);
	else
		render_json(&slot->out, again.id, seats, n, open);
	/* Key it by what was read with the seats, not before them. */
	slot->perf = again.id;
	slot->version = again.seats_version;
	slot->valid_until = again.next_lapse;
	slot->open = open;
	slot->format = format;
	slot->lang = lang;
	return &slot->out;
}

size_t
seatmap_pick_offset(const struct buf *grid, int64_t seat)
{
	char needle[48];
	int len = snprintf(needle, sizeof needle, "value=\"%lld\"", (long long)seat);
	const char *at = memmem(grid->data, grid->len, needle, (size_t)len);
	size_t off;

	if (at == NULL)
		return 0;
	off = (size_t)(at - grid->data) + (size_t)len;
	if (grid->len - off >= 9 && memcmp(grid->data + off, " disabled", 9) == 0)
		return 0;
	return off;
}

void
seatmap_cache_clear(struct seatmap_cache *c)
{
	for (int i = 0; i < SEATMAP_CACHE_SLOTS; i++)
		buf_reset(&c->slot[i].out); /* an empty slot is never a hit */
}

void
seatmap_cache_free(struct seatmap_cache *c)
{
	for (int i = 0; i < SEATMAP_CACHE_SLOTS; i++)
		buf_free(&c->slot[i].out);
}
