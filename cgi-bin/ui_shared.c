/*
 * ui_shared.c — the view pieces more than one handler shows (see
 * ui_shared.h).
 *
 * Error pages: every error is a whole page, with the header and a way on,
 * and says what happened in words a buyer understands; their titles and
 * default codes are in the status table (http_status.c). Nothing about an
 * error page changes state.
 *
 * The seat map: sections, each a grid of rows; every seat a button
 * showing free or taken (held or sold), labelled with section, row and
 * number for screen readers, the section's price in its heading. The grid
 * is one GET form: choosing a seat (click, tap, or Tab and Enter) reloads
 * the map at #pick with that seat picked and its details in a bar at the
 * bottom — no JavaScript needed, and the back button walks the choices.
 * The grid comes from the worker's cache (seatmap.c); the buyer's pick is
 * spliced in at render time, so one cached grid serves every buyer. The
 * seat map page (page_seats.c) shows it, and so does a hold that was
 * refused (page_holds.c), with the reason.
 *
 * A ticket's code: grouped for people, and its QR code (qr_svg.c) for the
 * door's scanner, on /bookings and the printable ticket alike.
 */
#include "ui_shared.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "hold.h"
#include "keyset.h"
#include "json.h"
#include "outcome.h"
#include "parse.h"
#include "qr_svg.h"
#include "queue.h"
#include "seatmap.h"
#include "ticket_code.h"
#include "view.h"

/* ---- error pages ---- */

static void
error_page(struct req *r, enum http_status status, const char *title,
    const char *message, const struct html *html, const char *href,
    const char *label)
{
	struct tdict *d;

	if (r->json) {
		if (status == HTTP_503)
			req_header(r, "Retry-After", "2");
		json_error(r, status, http_error_code(status), message != NULL ?
		    message : http_title(status));
		return;
	}

	/* The headers of what was written before (a cookie, say) stay. */
	r->status = status;
	/* The words are msgids (outcome.c, http_status.c, the handlers'
	 * literals): a page shows them in the buyer's language; the JSON
	 * above stays English. */
	d = view_page(r, TMPL_ERROR, title != NULL ? title : http_title(status));
	tdict_int(d, "status", http_code(status));
	if (html != NULL)
		view_set(d, "message", *html);
	else
		tdict_str(d, "message", tr(r, message));
	if (href != NULL) {
		tdict_str(d, "link_href", href);
		tdict_str(d, "link_label", tr(r, label));
	}
	if (status == HTTP_503) {
		req_header(r, "Retry-After", "2");
		tdict_bool(d, "retry", 1);
	}
	view_render(r, TMPL_ERROR, d);
}

void
page_error(struct req *r, enum http_status status, const char *message)
{
	error_page(r, status, NULL, message, NULL, NULL, NULL);
}

void
page_error_link(struct req *r, enum http_status status,
    const char *message, const char *href, const char *label)
{
	error_page(r, status, NULL, message, NULL, href, label);
}

void
page_error_html(struct req *r, enum http_status status, struct html message,
    const char *href, const char *label)
{
	error_page(r, status, NULL, NULL, &message, href, label);
}

void
page_error_titled(struct req *r, enum http_status status, const char *title,
    const char *message, const char *href, const char *label)
{
	error_page(r, status, title, message, NULL, href, label);
}

/* ---- long lists ---- */

int
ui_keyset(struct req *r, struct keyset *k)
{
	if (!keyset_parse(req_query(r, "before"), NULL, k)) {
		page_error_link(r, HTTP_400, "This page of the list does not exist: "
		    "\"before\" must be a number from an Older link.", r->path,
		    N_("The newest entries"));
		return 0;
	}
	return 1;
}

void
ui_keyset_links(struct tdict *d, const struct keyset *k)
{
	if (k->next != 0)
		tdict_int(d, "older", k->next);
	tdict_bool(d, "paged", k->before != 0);
}

/* ---- the queue gate ---- */

int
ui_queue_gate(struct req *r, int64_t concert_id, struct queue_view *v)
{
	enum bo_status s = queue_status(r->db, concert_id, r->session.user_id,
	    NULL, r->now, req_settings(r), v);
	int in_line;

	if (s != BO_OK) {
		page_status(r, s);
		return 0;
	}
	if (v->state == Q_ACTIVE)
		return 1;
	in_line = v->state == Q_WAITING || v->state == Q_PREQUEUE;
	if (r->json) {
		json_error(r, HTTP_403, "not_admitted", in_line ?
		    "You are still waiting in the queue for this concert." :
		    "Join the queue for this concert first.");
		return 0;
	}
	/* A turn that ended with a purchase (DONE) says so, not "join the
	 * queue first": the buyer just bought. */
	if (in_line)
		req_redirect(r, arena_printf(&r->arena, "/concerts/%lld/queue",
		    (long long)concert_id));
	else
		view_redirect(r, arena_printf(&r->arena, "/concerts/%lld",
		    (long long)concert_id), v->state == Q_EXPIRED ?
		    NOTICE_TURN_OVER : v->state == Q_DONE ? NOTICE_BOUGHT :
		    NOTICE_QUEUE_FIRST);
	return 0;
}

/* ---- the seat map ---- */

int
ui_seat_picks(struct req *r, const struct params *p, int toggle,
    int64_t **out, size_t *n)
{
	size_t cap = 0;
	int64_t add = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < p->n; i++) {
		int64_t id, *slot;
		size_t j;

		if (strcmp(p->items[i].name, "seat") != 0)
			continue;
		if (!parse_int64(p->items[i].value, 1, INT64_MAX, &id))
			return 0;
		for (j = 0; j < *n && (*out)[j] != id; j++)
			;
		if (j < *n)
			continue; /* twice: once */
		slot = arena_push(&r->arena, (void **)out, n, &cap, sizeof *slot);
		*slot = id;
	}
	if (!toggle || params_get(p, "add") == NULL)
		return 1;
	if (!parse_int64(params_get(p, "add"), 1, INT64_MAX, &add))
		return 0;
	for (size_t j = 0; j < *n; j++)
		if ((*out)[j] == add) { /* a picked seat clicked again: out */
			memmove(*out + j, *out + j + 1, (*n - j - 1) * sizeof **out);
			--*n;
			return 1;
		}
	*(int64_t *)arena_push(&r->arena, (void **)out, n, &cap,
	    sizeof(int64_t)) = add;
	return 1;
}

/* The words of ?refused= (enum ui_refusal). */
static const char *const refusal_words[UI_REFUSED__MAX] = {
	[UI_REFUSED_NONE] = "", [UI_REFUSED_TAKEN] = "taken",
	[UI_REFUSED_LIMIT] = "limit", [UI_REFUSED_BEST_NONE] = "best-none",
	[UI_REFUSED_BEST_LIMIT] = "best-limit",
};

void
ui_map_refused(struct req *r, const int64_t *picks, size_t n,
    const int64_t *taken, size_t ntaken, enum ui_refusal why)
{
	struct buf to = BUF_INIT;
	char sep = '?';

	assert(why > UI_REFUSED_NONE && why < UI_REFUSED__MAX);
	buf_printf(&to, "/performances/%lld", (long long)r->id);
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < ntaken && taken[j] != picks[i]; j++)
			;
		if (j < ntaken)
			continue; /* taken: no longer a pick */
		buf_printf(&to, "%cseat=%lld", sep, (long long)picks[i]);
		sep = '&';
	}
	for (size_t i = 0; i < ntaken; i++) {
		buf_printf(&to, "%ctaken=%lld", sep, (long long)taken[i]);
		sep = '&';
	}
	buf_printf(&to, "%crefused=%s", sep, refusal_words[why]);
	req_redirect(r, arena_strdup(&r->arena, buf_cstr(&to)));
	buf_free(&to);
}

int
ui_map_note_of(struct req *r, size_t npicks, struct ui_map_note *note)
{
	const char *word = req_query(r, "refused");
	enum ui_refusal why = UI_REFUSED_NONE;
	size_t ntaken = 0;

	memset(note, 0, sizeof note[0]);
	if (word == NULL)
		return 1;
	for (int i = UI_REFUSED_NONE + 1; i < UI_REFUSED__MAX; i++)
		if (strcmp(word, refusal_words[i]) == 0)
			why = (enum ui_refusal)i;
	switch (why) {
	case UI_REFUSED_NONE:
		return 0;
	case UI_REFUSED_TAKEN:
		/* The seats in words ("S · Row C · Seat 2, …"); an id that is
		 * not a seat of this date is not named. */
		for (size_t i = 0; i < r->query.n; i++) {
			struct seat gone;
			int64_t id;

			if (strcmp(r->query.items[i].name, "taken") != 0)
				continue;
			if (!parse_int64(r->query.items[i].value, 1, INT64_MAX, &id))
				return 0;
			ntaken++;
			if (catalog_seat(r->db, &r->arena, r->id, id, r->now, &gone)
			    != BO_OK)
				continue;
			note->taken = arena_printf(&r->arena, "%s%s%s",
			    note->taken ? note->taken : "", note->taken ? ", " : "",
			    arena_printf(&r->arena, tr(r, "%1$s · Row %2$s · Seat "
			    "%3$lld"), gone.section, gone.row, (long long)gone.number));
		}
		note->several = ntaken + npicks > 1;
		break;
	case UI_REFUSED_LIMIT:
		note->limit = 1;
		note->several = npicks > 1;
		break;
	case UI_REFUSED_BEST_NONE:
		note->message = outcome_of(&BEST_OUTCOMES, BO_CONFLICT)->page;
		break;
	case UI_REFUSED_BEST_LIMIT:
		note->message = outcome_of(&BEST_OUTCOMES, BO_LIMIT)->page;
		break;
	case UI_REFUSED__MAX:
		return 0;
	}
	return 1;
}

/* One mark the page puts on the cached grid: a picked seat, or one of
 * the buyer's own. */
struct mark {
	size_t at;     /* where in the grid (after value="ID", or at the
	                * taken attributes of one's own seat) */
	int yours;
};

static int
mark_cmp(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

/* Appends len bytes at *w. */
static void
put(char **w, const char *p, size_t len)
{
	memcpy(*w, p, len);
	*w += len;
}

static const char pressed_attrs[] = " aria-pressed=\"true\" class=\"p\"";
static const char yours_attrs[] = " disabled class=\"y\"";

/* What one mark adds to the grid of slot at most: the pressed attributes
 * of a pick, or what one's own seat's words are longer than the taken
 * words they replace (the attributes are as long as the taken ones). */
static size_t
mark_growth(const struct seatmap_slot *slot)
{
	size_t pick = sizeof pressed_attrs - 1;
	size_t yours = slot->yours.len > slot->taken.len ?
	    slot->yours.len - slot->taken.len : 0;

	_Static_assert(sizeof yours_attrs == sizeof SEATMAP_TAKEN_ATTRS,
	    "yours replaces taken");
	return pick > yours ? pick : yours;
}

/* The grid with the marks spliced in, into out (room for len + n *
 * mark_growth(slot) bytes); returns its length. A picked seat gets
 * aria-pressed and its colour; one's own seat says "yours" where the
 * cached grid says "taken" (slot's words). Only when there are marks:
 * the cached grid is sent as it is otherwise. */
static size_t
splice_marks(char *out, const char *grid, size_t len,
    const struct seatmap_slot *slot, struct mark *m, size_t n)
{
	const struct buf *taken = &slot->taken, *yours = &slot->yours;
	char *w = out;
	size_t from = 0;

	assert(taken->len > 0 && yours->len > 0);
	qsort(m, n, sizeof *m, mark_cmp);
	for (size_t i = 0; i < n; i++) {
		const char *end;

		if (m[i].at < from)
			continue; /* the same seat twice */
		put(&w, grid + from, m[i].at - from);
		from = m[i].at;
		if (!m[i].yours) {
			put(&w, pressed_attrs, sizeof pressed_attrs - 1);
			continue;
		}
		/* " disabled class="t">N<i …>, taken</i>" → yours */
		end = memmem(grid + from, len - from, taken->data, taken->len);
		if (end == NULL) /* not the shape seatmap.c writes */
			continue;
		put(&w, yours_attrs, sizeof yours_attrs - 1);
		from += sizeof yours_attrs - 1;
		put(&w, grid + from, (size_t)(end - (grid + from)));
		put(&w, yours->data, yours->len);
		from = (size_t)(end - grid) + taken->len;
	}
	put(&w, grid + from, len - from);
	return (size_t)(w - out);
}

/* The buyer's live seats of this date: the list above the map (held ones
 * with their deadline and a link to their order or hold, paid ones), and
 * a mark on the grid for each. */
static void
my_seats(struct req *r, struct tdict *d, int64_t perf, const struct buf *grid,
    size_t grid_from, struct mark **marks, size_t *nmarks, size_t *cap,
    int64_t *held, int64_t *order_until)
{
	struct my_seat *m;
	size_t n;

	*held = *order_until = 0;
	if (seats_mine(r->db, &r->arena, r->session.user_id, perf, r->now, &m,
	    &n) != BO_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		struct tdict *hd = tdict_add(d, "holds");
		size_t at = seatmap_taken_offset(grid, m[i].seat_id);

		tdict_str(hd, "href", m[i].paid ? "/bookings" :
		    m[i].order_id ? arena_printf(&r->arena, "/orders/%lld",
		    (long long)m[i].order_id) : arena_printf(&r->arena,
		    "/holds/%lld", (long long)m[i].hold_id));
		tdict_str(hd, "section", m[i].section);
		tdict_str(hd, "row", m[i].row);
		tdict_int(hd, "number", m[i].number);
		tdict_str(hd, "price", view_money(r, m[i].price));
		if (m[i].paid) {
			tdict_bool(hd, "bought", 1);
		} else {
			view_set(hd, "until", view_clock(r, m[i].expires_at));
			++*held;
			/* The order new picks join (order_add): the latest. */
			if (m[i].order_id != 0 && m[i].expires_at > *order_until)
				*order_until = m[i].expires_at;
		}
		if (at > grid_from) {
			struct mark *k = arena_push(&r->arena, (void **)marks,
			    nmarks, cap, sizeof *k);

			k->at = at;
			k->yours = 1;
		}
	}
	tdict_bool(d, "any_holds", n > 0);
}

void
ui_seat_map(struct req *r, const int64_t *picks, size_t npicks,
    enum http_status status, const struct ui_map_note *note)
{
	struct performance p;
	struct concert c;
	struct queue_view q;
	const struct seatmap_slot *slot;
	const struct buf *grid;
	struct tdict *d;
	enum bo_status s;
	enum sale_state sale;
	enum bo_status failed;
	struct mark *marks = NULL;
	size_t nmarks = 0, cap = 0, shown = 0;
	int64_t held = 0, total = 0, room, order_until = 0;

	s = catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p, NULL, NULL);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	if (!ui_queue_gate(r, c.id, &q))
		return;
	sale = performance_sale_state(&p, r->now);
	if ((slot = seatmap_get(r, &p, sale == SALE_OPEN, SEATMAP_HTML,
	    &failed)) == NULL) {
		page_status(r, failed);
		return;
	}
	grid = &slot->out;
	r->status = status;
	d = view_page(r, TMPL_PERFORMANCE, arena_printf(&r->arena,
	    tr(r, "%s — seats"), c.title));
	tdict_int(d, "concert_id", c.id);
	tdict_str(d, "concert_title", c.title);
	tdict_str(d, "artist", c.artist);
	tdict_str(d, "venue", c.venue);
	tdict_int(d, "pid", p.id);
	view_set(d, "date", view_date(r, p.starts_at));
	view_set(d, "time", view_time(r, p.starts_at));
	tdict_str(d, "seats_left", view_count(r, p.seats_left));
	tdict_str(d, "seat_count", view_count(r, p.seat_count));
	tdict_bool(d, "on_sale", sale == SALE_OPEN);
	tdict_bool(d, "sale_closed", sale == SALE_CLOSED);
	tdict_bool(d, "cancelled", sale == SALE_CANCELLED);
	view_set(d, "turn_until", view_time(r, q.active_until));
	if (sale == SALE_NOT_YET)
		view_set(d, "opens", view_datetime(r, p.sale_opens_at));
	if (note != NULL && note->taken != NULL)
		tdict_str(d, "seat_taken", note->taken);
	if (note != NULL && note->limit)
		tdict_bool(d, "hold_limit", 1);
	if (note != NULL && note->several)
		tdict_bool(d, "several", 1);
	if (note != NULL && note->message != NULL)
		tdict_str(d, "refused", tr(r, note->message));
	tdict_int(d, "max_holds", req_settings(r)->max_holds);
	my_seats(r, d, p.id, grid, slot->overview_end, &marks, &nmarks, &cap,
	    &held, &order_until);
	/* The picks: free seats of this grid, as many as may still be held. */
	room = req_settings(r)->max_holds - held;
	for (size_t i = 0; i < npicks; i++) {
		size_t at = seatmap_pick_offset(grid, picks[i]);
		struct seat seat;
		struct tdict *ps;
		struct mark *k;

		if (at <= slot->overview_end || catalog_seat(r->db, &r->arena, p.id,
		    picks[i], r->now, &seat) != BO_OK || seat.taken) {
			/* One message when the note names the seats taken. */
			if (note == NULL || note->taken == NULL)
				tdict_bool(d, "pick_gone", 1);
			continue;
		}
		if ((int64_t)shown >= room) {
			/* One message when the note says max_holds already. */
			if (note == NULL || !note->limit)
				tdict_bool(d, "pick_limit", 1);
			continue;
		}
		ps = tdict_add(d, "picks");
		tdict_int(ps, "seat_id", seat.id);
		tdict_str(ps, "section", seat.section);
		tdict_str(ps, "row", seat.row);
		tdict_int(ps, "number", seat.number);
		tdict_str(ps, "price", view_money(r, seat.price));
		total += seat.price;
		shown++;
		k = arena_push(&r->arena, (void **)&marks, &nmarks, &cap, sizeof *k);
		k->at = at;
		k->yours = 0;
	}
	if (shown > 0) {
		tdict_bool(d, "picked", 1);
		tdict_str(d, "pick_count", shown == 1 ? tr(r, "Your pick: 1 seat") :
		    arena_printf(&r->arena, tr(r, "Your pick: %zu seats"), shown));
		tdict_str(d, "total", view_money(r, total));
		/* TRANSLATORS: the button reads "{hold_label} for 5 minutes". */
		tdict_str(d, "hold_label", shown == 1 ? tr(r, "Hold this seat") :
		    arena_printf(&r->arena, tr(r, "Hold these %zu seats"), shown));
		/* They join the order held already: its deadline, one
		 * payment (page_holds.c). */
		if (order_until != 0) {
			view_set(d, "joins", view_clock(r, order_until));
			/* TRANSLATORS: the button reads "{add_label} (pay by
			 * 19:30 KST)". */
			tdict_str(d, "add_label", shown == 1 ?
			    tr(r, "Add this seat to your seats") :
			    arena_printf(&r->arena, tr(r, "Add these %zu seats to "
			    "your seats"), shown));
		}
	}
	tdict_html_ref(d, "options", grid->data, slot->options_end);
	tdict_html_ref(d, "overview", grid->data + slot->options_end,
	    slot->overview_end - slot->options_end);
	if (nmarks == 0) {
		tdict_html_ref(d, "grid", grid->data + slot->overview_end,
		    grid->len - slot->overview_end);
	} else {
		const char *seats = grid->data + slot->overview_end;
		size_t len = grid->len - slot->overview_end;
		char *out = arena_alloc(&r->arena, len + nmarks *
		    mark_growth(slot));

		for (size_t i = 0; i < nmarks; i++)
			marks[i].at -= slot->overview_end;
		tdict_html_ref(d, "grid", out, splice_marks(out, seats, len,
		    slot, marks, nmarks));
	}
	view_render(r, TMPL_PERFORMANCE, d);
}

/* ---- the buyer's unpaid seats at a concert ---- */

size_t
ui_unpaid_holds(struct req *r, struct tdict *d, int64_t concert, int list)
{
	struct awaiting_seat *h;
	size_t n = 0;

	if (!r->logged_in || holds_awaiting(r->db, &r->arena,
	    r->session.user_id, concert, r->now, &h, &n) != BO_OK)
		return 0;
	for (size_t i = 0; list && i < n; i++) {
		struct tdict *u = tdict_add(d, "unpaid");

		tdict_str(u, "href", h[i].order_id ? arena_printf(&r->arena,
		    "/orders/%lld", (long long)h[i].order_id) :
		    arena_printf(&r->arena, "/holds/%lld", (long long)h[i].hold_id));
		view_set(u, "date", view_date(r, h[i].starts_at));
		view_set(u, "time", view_time(r, h[i].starts_at));
		tdict_str(u, "section", h[i].section);
		tdict_str(u, "row", h[i].row);
		tdict_int(u, "number", h[i].number);
		tdict_str(u, "price", view_money(r, h[i].price));
		view_set(u, "until", view_clock(r, h[i].expires_at));
	}
	tdict_bool(d, "any_unpaid", n > 0);
	tdict_str(d, "unpaid_count", n == 1 ? tr(r, "1 seat") :
	    arena_printf(&r->arena, tr(r, "%zu seats"), n));
	return n;
}

/* ---- the queue ticket as JSON ---- */

void
ui_queue_ticket_send(struct req *r, enum http_status status,
    struct queue_view *v)
{
	int waiting = v->state == Q_WAITING, active = v->state == Q_ACTIVE;
	int64_t remaining = -1, now = r->now;
	enum bo_status s = queue_view_sign(r->db, r->session.user_id, v);
	struct buf *b = r->body;

	if (s != BO_OK) {
		page_status(r, s); /* JSON: r->json */
		return;
	}
	json_begin(r, status);
	req_header(r, "Cache-Control", "no-store");

	buf_puts(b, "{\"token\":");
	json_str(b, v->token);
	buf_puts(b, ",\"concertId\":");
	buf_int(b, v->concert_id);
	buf_puts(b, ",\"state\":");
	json_str(b, queue_state_name(v->state));
	buf_puts(b, ",\"pollAfterMs\":");
	buf_int(b, v->poll_after_ms);
	/* The signed number and the line's serving number: place =
	 * number - serving (null while the number is not drawn yet). */
	buf_puts(b, ",\"number\":");
	if (v->place > 0)
		buf_int(b, v->place);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"serving\":");
	buf_int(b, v->serving);
	if (waiting) {
		buf_puts(b, ",\"position\":");
		buf_int(b, v->ahead + 1);
		buf_puts(b, ",\"ahead\":");
		buf_int(b, v->ahead);
	} else {
		buf_puts(b, ",\"position\":null,\"ahead\":null");
	}
	buf_puts(b, ",\"etaSeconds\":");
	if (waiting && v->eta_seconds >= 0)
		buf_int(b, v->eta_seconds);
	else
		buf_puts(b, "null");
	/* "about": from how fast the line moves; "atMost": the bound from
	 * how long a turn lasts, before anyone has left (queue_eta). */
	buf_puts(b, ",\"etaKind\":");
	if (waiting && v->eta_kind == QE_ABOUT)
		buf_puts(b, "\"about\"");
	else if (waiting && v->eta_kind == QE_AT_MOST)
		buf_puts(b, "\"atMost\"");
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"opensAt\":");
	if (v->state == Q_PREQUEUE)
		buf_int(b, v->opens_at);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"calledUntil\":");
	if (v->state == Q_CALLED)
		buf_int(b, v->called_until);
	else
		buf_puts(b, "null");
	if (active) {
		buf_puts(b, ",\"activeUntil\":");
		buf_int(b, v->active_until);
		/* The time left in the buyer's turn. */
		buf_puts(b, ",\"remainingSeconds\":");
		buf_int(b, v->active_until - now);
	} else {
		buf_puts(b, ",\"activeUntil\":null,\"remainingSeconds\":null");
	}
	/* The seed's own names (004 §4.1, §4.6): the place, and the seconds
	 * until the expected call (waiting), the opening (pre-queue), the
	 * end of the claim window (called) or of the turn (active). */
	buf_puts(b, ",\"queuePosition\":");
	if (waiting)
		buf_int(b, v->ahead + 1);
	else if (v->state == Q_CALLED || active)
		buf_puts(b, "0");
	else
		buf_puts(b, "null");
	switch (v->state) {
	case Q_WAITING: remaining = v->eta_seconds; break;
	case Q_PREQUEUE: remaining = v->eta_seconds; break;
	case Q_CALLED: remaining = v->called_until - now; break;
	case Q_ACTIVE: remaining = v->active_until - now; break;
	default: break;
	}
	buf_puts(b, ",\"remainingTime\":");
	if (remaining >= 0)
		buf_int(b, remaining);
	else
		buf_puts(b, "null");
	buf_puts(b, "}\n");
}

void
ui_queue_state_json(struct buf *b, const struct queue_public *p)
{
	char rate[32], freed[32];

	/* Calls and freed slots per minute over the window, one decimal.
	 * The wait is told from the freed slots (queue_eta): the calls also
	 * count the first fill of the slots at the opening. */
	snprintf(rate, sizeof rate, "%.1f", p->rate_span > 0 ?
	    (double)p->called_recent * 60.0 / (double)p->rate_span : 0.0);
	snprintf(freed, sizeof freed, "%.1f", p->rate_span > 0 ?
	    (double)p->freed_recent * 60.0 / (double)p->rate_span : 0.0);
	buf_puts(b, "{\"concertId\":");
	buf_int(b, p->concert_id);
	buf_puts(b, ",\"state\":");
	json_str(b, queue_line_state_name(p->state));
	buf_puts(b, ",\"prequeueOpensAt\":");
	buf_int(b, p->prequeue_opens);
	buf_puts(b, ",\"opensAt\":");
	buf_int(b, p->opens_at);
	buf_puts(b, ",\"serving\":");
	buf_int(b, p->serving);
	buf_puts(b, ",\"waiting\":");
	buf_int(b, p->waiting);
	buf_puts(b, ",\"admittedPerMinute\":");
	buf_puts(b, rate);
	buf_puts(b, ",\"freedPerMinute\":");
	buf_puts(b, freed);
	buf_puts(b, ",\"slots\":");
	buf_int(b, p->slots);
	buf_puts(b, ",\"turnSeconds\":");
	buf_int(b, p->turn_max);
	buf_puts(b, ",\"at\":");
	buf_int(b, p->at);
	buf_puts(b, "}\n");
}

/* ---- a ticket's code ---- */

void
ui_ticket_code(struct req *r, struct tdict *d, const char *code)
{
	char grouped[TICKET_CODE_GROUPED_SIZE];
	struct buf svg = BUF_INIT;

	ticket_code_group(code, grouped);
	tdict_str(d, "code", arena_strdup(&r->arena, grouped));
	/* The QR holds the bare canonical code: what the door reads back. */
	if (qr_svg(&svg, code, arena_printf(&r->arena, tr(r, "QR code of "
	    "ticket code %s"), grouped)) > 0)
		tdict_html(d, "qr", svg.data, svg.len);
	buf_free(&svg);
}
