/*
 * page_admin.c — the operator's live view of the sale (operators only:
 * the router's RF_OPERATOR).
 *
 * GET /admin/                            every concert: its waiting line
 *        (waiting, shopping, admitted per minute, longest wait) and each
 *        performance's seats sold, held and free, gross, tickets let in
 *        at the door and refunded, and a chart of
 *        the seats sold over time (server-side SVG, no script); the page
 *        refreshes itself every 30 s without JavaScript
 * GET /admin/buyer?email=E               one buyer: balance, tickets with
 *        their codes, live holds, the ledger (404 on the form when nobody
 *        has that address)
 * GET /admin/performances/{id}/sales.csv the sales report as CSV
 *        (core/report.h's report_sales_csv, the same as boxoffice-admin
 *        report), as a download
 *
 * Every figure comes from core/report.h, as boxoffice-admin's; this file
 * only lays them out.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "html.h"
#include "outcome.h"
#include "pages.h"
#include "report.h"
#include "ticket_code.h"
#include "ui_shared.h"
#include "view.h"

/* The chart's drawing area, in SVG user units (CSS sizes it). */
#define CHART_W 480
#define CHART_H 120
#define CHART_TOP 28 /* room for the label above the line */
#define CHART_MINUTE 60

/*
 * The seats sold over time as an inline SVG: a step line of the running
 * total from the first sale's minute to now (or the sale's close), its
 * height scaled to the seats sold so far (the label says how many of the
 * hall). From the first sale, not the sale's opening: a rush a day after
 * the opening would otherwise be one vertical line at the right edge.
 * Read by the minute; one point a pixel column at most. Text and numbers
 * only; no style attribute (the CSP), classes for static/style.css. Into
 * b; 0 when there is nothing to draw (nothing sold yet), b untouched.
 */
static int
sales_chart(struct req *r, struct buf *b, const struct report_performance *p)
{
	int64_t from, to = r->now, total = 0, top;
	long last_x = -1;
	struct report_bucket *bk;
	enum bo_status s;
	size_t n;

	if (to > p->sale_closes_at)
		to = p->sale_closes_at;
	if (p->seats.sold <= 0)
		return 0;
	s = report_sales_timeline(r->db, &r->arena, p->id, CHART_MINUTE, &bk, &n);
	if (s != BO_OK || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		total += bk[i].sold;
	top = total; /* the line's full height */
	total = 0;
	/* A minute of nothing before the first sale, so the line rises. */
	from = bk[0].start - CHART_MINUTE;
	if (to < bk[n - 1].start + CHART_MINUTE)
		to = bk[n - 1].start + CHART_MINUTE;
	buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"", CHART_W, CHART_H + 24);
	html_puts(b, arena_printf(&r->arena, tr(r, "Seats sold over time: %1$s "
	    "of %2$s"), view_count(r, p->seats.sold), view_count(r, p->seats.seats)));
	buf_printf(b, "\"><text x=\"0\" y=\"%d\">", CHART_TOP - 8);
	html_puts(b, arena_printf(&r->arena, tr(r, "%1$s sold of %2$s"),
	    view_count(r, top), view_count(r, p->seats.seats)));
	buf_printf(b, "</text><line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/><polyline class=\"sold\" points=\"0,%d", CHART_H,
	    CHART_W, CHART_H, CHART_H);
#define Y(count) (CHART_H - (long)((count) * (CHART_H - CHART_TOP) / top))
	for (size_t i = 0; i < n; i++) {
		long x = (long)((bk[i].start - from) * CHART_W / (to - from));
		long before = Y(total);

		total += bk[i].sold;
		if (x == last_x && i + 1 < n && (long)((bk[i + 1].start - from) *
		    CHART_W / (to - from)) == x)
			continue; /* the same pixel column: its last point will do */
		buf_printf(b, " %ld,%ld %ld,%ld", x, before, x, Y(total));
		last_x = x;
	}
	buf_printf(b, " %d,%ld\"/>", CHART_W, Y(total));
#undef Y
	buf_printf(b, "<text x=\"0\" y=\"%d\">", CHART_H + 20);
	html_puts(b, view_datetime(r, from));
	buf_printf(b, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
	    CHART_W, CHART_H + 20);
	html_puts(b, view_datetime(r, to));
	buf_puts(b, "</text></svg>");
	return 1;
}

/* One concert's section of the page. */
static void
concert_section(struct req *r, struct tdict *d, const struct report_concert *c)
{
	const struct settings *set = req_settings(r);
	struct report_performance *perfs;
	struct report_queue q;
	struct tdict *cd = tdict_add(d, "concerts");
	enum bo_status s;
	size_t n;

	tdict_int(cd, "id", c->id);
	tdict_str(cd, "concert_title", c->title);
	tdict_str(cd, "artist", c->artist);
	tdict_str(cd, "venue", c->venue);
	if (report_queue(r->db, &r->arena, c->id, r->now, &q) == BO_OK) {
		tdict_str(cd, "waiting", view_count(r, q.waiting));
		tdict_str(cd, "active", view_count(r, q.active));
		tdict_str(cd, "called", view_count(r, q.called));
		tdict_str(cd, "serving", view_count(r, q.serving));
		tdict_int(cd, "window_minutes", q.window_seconds / 60);
		tdict_str(cd, "capacity", view_count(r, set->queue_capacity));
		tdict_strf(cd, "per_minute", "%.1f", (double)q.admitted_window *
		    60.0 / (double)q.window_seconds);
		tdict_strf(cd, "longest", tr(r, "%1$lld min %2$02lld s"),
		    (long long)(q.longest_waiting / 60),
		    (long long)(q.longest_waiting % 60));
	}
	s = report_performances(r->db, &r->arena, c->id, r->now, &perfs, &n);
	if (s != BO_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		struct tdict *pd = tdict_add(cd, "performances");
		struct buf *chart = arena_alloc(&r->arena, sizeof *chart);

		tdict_int(pd, "pid", perfs[i].id);
		tdict_str(pd, "date", view_date(r, perfs[i].starts_at));
		tdict_str(pd, "time", view_time(r, perfs[i].starts_at));
		tdict_str(pd, "state", tr(r, report_sale_state(&perfs[i], r->now)));
		tdict_str(pd, "seats", view_count(r, perfs[i].seats.seats));
		tdict_str(pd, "sold", view_count(r, perfs[i].seats.sold));
		tdict_str(pd, "held", view_count(r, perfs[i].seats.held));
		tdict_str(pd, "free", view_count(r, perfs[i].seats.free));
		tdict_str(pd, "gross", view_money(r, perfs[i].seats.gross));
		tdict_str(pd, "checked_in", view_count(r, perfs[i].checked_in));
		tdict_str(pd, "refunded", view_count(r, perfs[i].refunded));
		if (perfs[i].cancelled_at == 0 && perfs[i].starts_at > r->now)
			tdict_bool(pd, "can_cancel", 1);
		if (sales_chart(r, chart, &perfs[i])) {
			/* Copied into the arena: the buffer is freed here. */
			tdict_html(pd, "chart", chart->data, chart->len);
			buf_free(chart);
		}
	}
}

void
page_admin(struct req *r)
{
	struct report_concert *list;
	struct tdict *d;
	enum bo_status s;
	size_t n;

	if ((s = report_concerts(r->db, &r->arena, &list, &n)) != BO_OK) {
		page_status(r, s);
		return;
	}
	d = view_page(r, TMPL_ADMIN, "The sale, live");
	/* Every 30 s: without JavaScript the whole page (a meta refresh),
	 * with it only <main>, and not while the operator types in it. */
	tdict_str(d, "refresh", "30");
	tdict_str(d, "live", "30");
	tdict_str(d, "as_of", view_datetime(r, r->now));
	tdict_str(d, "zone", view_zone(r));
	tdict_bool(d, "any", n > 0);
	for (size_t i = 0; i < n; i++)
		concert_section(r, d, &list[i]);
	view_render(r, TMPL_ADMIN, d);
}

/* A buyer's tickets or holds into list key of d. */
static void
buyer_seats(struct req *r, struct tdict *d, const char *key,
    const struct report_seat *seats, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct tdict *t = tdict_add(d, key);

		tdict_str(t, "concert_title", seats[i].concert_title);
		tdict_str(t, "date", view_date(r, seats[i].starts_at));
		tdict_str(t, "time", view_time(r, seats[i].starts_at));
		tdict_str(t, "section", seats[i].section);
		tdict_str(t, "row", seats[i].row);
		tdict_int(t, "number", seats[i].number);
		tdict_str(t, "price", view_money(r, seats[i].price));
		tdict_str(t, "at", view_datetime(r, seats[i].at));
		if (seats[i].code[0] != '\0') {
			char grouped[TICKET_CODE_GROUPED_SIZE];

			ticket_code_group(seats[i].code, grouped);
			tdict_str(t, "code", arena_strdup(&r->arena, grouped));
			/* The refund page shows the ticket and refuses what
			 * cannot be refunded; a used one says so here. */
			tdict_str(t, "refund_href", arena_printf(&r->arena,
			    "/admin/refund?code=%s", seats[i].code));
		}
		if (seats[i].used_at != 0 && seats[i].refunded_at == 0) {
			tdict_str(t, "used_at", view_datetime(r, seats[i].used_at));
			tdict_str(t, "door", seats[i].door);
		}
	}
}

void
page_admin_buyer(struct req *r)
{
	const char *email = req_query(r, "email");
	struct report_buyer b;
	struct tdict *d;
	enum bo_status s = BO_NOT_FOUND;

	if (email != NULL && email[0] != '\0') {
		s = report_buyer(r->db, &r->arena, email, r->now, &b);
		if (s != BO_OK && s != BO_NOT_FOUND && s != BO_INVALID) {
			page_status(r, s);
			return;
		}
	}
	if (email != NULL && email[0] != '\0' && s != BO_OK)
		r->status = HTTP_404;
	d = view_page(r, TMPL_ADMIN_BUYER, "Buyer lookup");
	tdict_str(d, "zone", view_zone(r));
	if (email != NULL)
		tdict_str(d, "email", email);
	if (s != BO_OK) {
		tdict_bool(d, "not_found", email != NULL && email[0] != '\0');
		view_render(r, TMPL_ADMIN_BUYER, d);
		return;
	}
	tdict_bool(d, "found", 1);
	tdict_str(d, "buyer_email", b.email);
	tdict_int(d, "user_id", b.user_id);
	tdict_str(d, "since", view_datetime(r, b.created_at));
	tdict_str(d, "balance", view_money(r, b.balance));
	tdict_bool(d, "any_tickets", b.ntickets > 0);
	tdict_bool(d, "any_holds", b.nholds > 0);
	tdict_bool(d, "any_refunded", b.nrefunded > 0);
	buyer_seats(r, d, "tickets", b.tickets, b.ntickets);
	buyer_seats(r, d, "refunded", b.refunded, b.nrefunded);
	buyer_seats(r, d, "holds", b.holds, b.nholds);
	for (size_t i = 0; i < b.nledger; i++) {
		struct tdict *l = tdict_add(d, "ledger");

		tdict_int(l, "entry", b.ledger[i].id);
		tdict_str(l, "when", view_datetime(r, b.ledger[i].created_at));
		tdict_str(l, "kind", tr(r, ledger_kind_words(b.ledger[i].kind, 1)));
		tdict_str(l, "amount", view_money_signed(r, b.ledger[i].amount));
		tdict_str(l, "balance_after", view_money(r,
		    b.ledger[i].balance_after));
	}
	view_render(r, TMPL_ADMIN_BUYER, d);
}

void
page_admin_sales_csv(struct req *r)
{
	struct csv c = CSV_INIT;
	enum bo_status s = report_sales_csv(r->db, r->id, req_settings(r), &c);

	if (s != BO_OK) {
		csv_free(&c);
		page_status(r, s);
		return;
	}
	r->status = HTTP_200;
	r->content_type_out = "text/csv; charset=utf-8";
	req_header(r, "Content-Disposition", arena_printf(&r->arena,
	    "attachment; filename=\"performance-%lld-sales.csv\"",
	    (long long)r->id));
	buf_put(r->body, c.data, c.len);
	csv_free(&c);
}
