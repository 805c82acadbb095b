/*
 * seatmap.c — rendering and caching seat grids (see seatmap.h).
 *
 * Written with the escaping writers of html.h directly, not through a
 * template loop: a hall has thousands of seats. Each seat is as short as
 * it can be (about 40 bytes): its row's group label names section and row
 * for screen readers, a disabled button says taken. One slot per
 * performance, format and language modulo SEATMAP_CACHE_SLOTS: every word
 * of a grid, the seats' states too, is of its language's catalog.
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

/* The section's price tier: 0 for the dearest price of the hall, one more
 * for each cheaper price, at most SEATMAP_TIERS - 1 (the colours of
 * style.css). */
static int
price_tier(const struct seat *seats, size_t n, int64_t price)
{
	int64_t seen[SEATMAP_TIERS];
	int tiers = 0;

	for (size_t i = 0; i < n; i++) {
		int k;

		if (seats[i].price <= price)
			continue;
		for (k = 0; k < tiers && seen[k] != seats[i].price; k++)
			;
		if (k == tiers && tiers < SEATMAP_TIERS - 1)
			seen[tiers++] = seats[i].price;
	}
	return tiers;
}

static void
section_price(struct req *r, struct buf *b, const struct section_stats *st)
{
	html_puts(b, view_money(r, st->min_price));
	if (st->max_price != st->min_price) {
		html_raw_trusted(b, "–");
		html_puts(b, view_money(r, st->max_price));
	}
}

static void
section_head(struct req *r, struct buf *b, const struct seat *first,
    const struct section_stats *st, int tier, int index)
{
	html_raw_trusted(b, "<section class=\"sec t");
	buf_int(b, tier);
	html_raw_trusted(b, "\" id=\"sec-");
	buf_int(b, index);
	html_raw_trusted(b, "\"><h3>");
	html_puts(b, first->section);
	html_raw_trusted(b, " <span class=\"price\">");
	section_price(r, b, st);
	html_raw_trusted(b, "</span> <span class=\"free\">");
	/* TRANSLATORS: a section's free seats: "12 of 40 free". */
	html_puts(b, arena_printf(&r->arena, tr(r, "%1$s of %2$s free"),
	    view_count(r, st->free), view_count(r, st->total)));
	html_raw_trusted(b, "</span></h3><div class=\"rows\">");
}

/* The price of a row when all its seats have one (0: they differ). */
static int64_t
row_price(const struct seat *seats, size_t n, size_t from)
{
	for (size_t i = from + 1; i < n && seats[i].row == seats[from].row &&
	    seats[i].section == seats[from].section; i++)
		if (seats[i].price != seats[from].price)
			return 0;
	return seats[from].price;
}

/* The options of the best-available form and the overview of the hall
 * (sections at a glance, each a link to its place in the map, coloured by
 * price): one entry per section. */
static void
render_sections(struct req *r, struct buf *b, const struct seat *seats,
    size_t n, size_t *options_end)
{
	int index = 0;

	for (size_t i = 0; i < n; i++)
		if (i == 0 || seats[i].section != seats[i - 1].section) {
			html_raw_trusted(b, "<option>");
			html_puts(b, seats[i].section);
			html_raw_trusted(b, "</option>");
		}
	*options_end = b->len;
	if (n == 0)
		return;
	html_raw_trusted(b, "<nav class=\"overview\" id=\"sections\" "
	    "aria-label=\"");
	html_puts(b, tr(r, "Sections of the hall"));
	html_raw_trusted(b, "\"><ul>");
	for (size_t i = 0; i < n; i++) {
		struct section_stats st;

		if (i > 0 && seats[i].section == seats[i - 1].section)
			continue;
		section_stats(seats, n, i, &st);
		html_raw_trusted(b, "<li><a class=\"t");
		buf_int(b, price_tier(seats, n, st.max_price));
		html_raw_trusted(b, "\" href=\"#sec-");
		buf_int(b, ++index);
		html_raw_trusted(b, "\"><b>");
		html_puts(b, seats[i].section);
		html_raw_trusted(b, "</b> ");
		section_price(r, b, &st);
		html_raw_trusted(b, " · ");
		/* TRANSLATORS: a section's free seats in the overview. */
		html_puts(b, arena_printf(&r->arena, tr(r, "%s free"),
		    view_count(r, st.free)));
		html_raw_trusted(b, "</a></li>");
	}
	html_raw_trusted(b, "</ul></nav>");
}

/* The words after a seat's number when it is not free: ", taken". */
static void
state_words(struct buf *b, const char *state)
{
	buf_reset(b);
	html_raw_trusted(b, "<i class=\"vh\">, ");
	html_puts(b, state);
	html_raw_trusted(b, "</i>");
}

/* Each seat is a button of the GET form that adds it to the pick (the
 * picked seats travel as hidden "seat" fields); taken seats, and all
 * seats outside the sale, are disabled. A taken seat says so in words
 * (taken: the slot's), which the page replaces for the buyer's own
 * seats. */
static void
render(struct req *r, struct buf *b, const struct buf *taken,
    const struct seat *seats, size_t n, int open)
{
	int index = 0;

	html_raw_trusted(b, "<div class=\"stage\" aria-hidden=\"true\">");
	html_puts(b, tr(r, "Stage"));
	html_raw_trusted(b, "</div>");
	for (size_t i = 0; i < n; i++) {
		const struct seat *s = &seats[i];
		int new_section = i == 0 || s->section != seats[i - 1].section;
		int new_row = new_section || s->row != seats[i - 1].row;

		if (new_section) {
			struct section_stats st;

			if (i > 0)
				html_raw_trusted(b, "</div></div></section>");
			section_stats(seats, n, i, &st);
			section_head(r, b, s, &st, price_tier(seats, n,
			    st.max_price), ++index);
		}
		if (new_row) {
			int64_t price = row_price(seats, n, i);

			if (!new_section)
				html_raw_trusted(b, "</div>");
			/* The row's label carries section, row and price for
			 * screen readers; each seat's own text is its number
			 * (and its state when it is not free). */
			html_raw_trusted(b, "<div class=\"row\" role=\"group\" aria-label=\"");
			/* TRANSLATORS: a row of seats, for screen readers:
			 * "Floor A, row 3". */
			html_puts(b, arena_printf(&r->arena, tr(r, "%1$s, row %2$s"),
			    s->section, s->row));
			if (price != 0) {
				html_raw_trusted(b, ", ");
				html_puts(b, view_money(r, price));
			}
			html_raw_trusted(b, "\" data-price=\"");
			if (price != 0)
				html_puts(b, view_money(r, price));
			html_raw_trusted(b, "\"><span class=\"rl\" aria-hidden=\"true\">");
			html_puts(b, s->row);
			html_raw_trusted(b, "</span>");
		}
		html_raw_trusted(b, "<button name=\"add\" value=\"");
		buf_int(b, s->id);
		html_raw_trusted(b, "\"");
		if (s->taken)
			html_raw_trusted(b, SEATMAP_TAKEN_ATTRS);
		else if (!open)
			html_raw_trusted(b, " disabled");
		html_raw_trusted(b, ">");
		buf_int(b, s->number);
		if (s->taken)
			buf_put(b, taken->data, taken->len);
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
	const struct seatmap_slot *slot = seatmap_get(r, p, open, format, status);

	return slot != NULL ? &slot->out : NULL;
}

const struct seatmap_slot *
seatmap_get(struct req *r, const struct performance *p, int open,
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
		return slot;
	s = catalog_performance(r->db, &r->arena, p->id, r->now, &c, &again,
	    &seats, &n);
	if (s != BO_OK) {
		*status = s;
		return NULL;
	}
	buf_reset(&slot->out);
	buf_reset(&slot->taken);
	buf_reset(&slot->yours);
	slot->options_end = slot->overview_end = 0;
	if (format == SEATMAP_HTML) {
		/* TRANSLATORS: a seat's state, for screen readers, after its
		 * number: "14, taken" (the seat map's words, with the
		 * JavaScript's too). */
		state_words(&slot->taken, tr(r, "taken"));
		/* TRANSLATORS: the state of a seat the buyer holds or bought:
		 * "14, yours". */
		state_words(&slot->yours, tr(r, "yours"));
		render_sections(r, &slot->out, seats, n, &slot->options_end);
		slot->overview_end = slot->out.len;
		render(r, &slot->out, &slot->taken, seats, n, open);
	} else {
		render_json(&slot->out, again.id, seats, n, open);
	}
	/* Key it by what was read with the seats, not before them. */
	slot->perf = again.id;
	slot->version = again.seats_version;
	slot->valid_until = again.next_lapse;
	slot->open = open;
	slot->format = format;
	slot->lang = lang;
	return slot;
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

size_t
seatmap_taken_offset(const struct buf *grid, int64_t seat)
{
	char needle[48];
	int len = snprintf(needle, sizeof needle, "value=\"%lld\"" SEATMAP_TAKEN_ATTRS,
	    (long long)seat);
	const char *at = memmem(grid->data, grid->len, needle, (size_t)len);

	return at == NULL ? 0 : (size_t)(at - grid->data) + (size_t)len -
	    strlen(SEATMAP_TAKEN_ATTRS);
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
	for (int i = 0; i < SEATMAP_CACHE_SLOTS; i++) {
		buf_free(&c->slot[i].out);
		buf_free(&c->slot[i].taken);
		buf_free(&c->slot[i].yours);
	}
}
