/*
 * page_concert.c — one concert.
 *
 * GET /concerts/{id} — details, the dates ahead and where the buyer stands
 * in the queue. Anyone sees the schedule and, before the pre-queue opens,
 * when it does; a logged-in buyer gets the join button or their place in
 * line; an admitted (ACTIVE) buyer sees each
 * date's seats left and the links to the seat maps, with the time their
 * turn ends. The seats the buyer holds unpaid are listed with their
 * deadline and a link to pay; leaving the queue while there are some goes
 * through GET /concerts/{id}/queue/leave, which names them (page_queue.c).
 */
#include "cache.h"
#include "catalog.h"
#include "outcome.h"
#include "pages.h"
#include "queue.h"
#include "ui_shared.h"
#include "view.h"

void
page_concert(struct req *r)
{
	struct performance *perfs;
	struct concert c;
	struct queue_view q = { .state = Q_NONE };
	struct tdict *d;
	enum bo_status s;
	struct queue_public line;
	int any_open, in_line, joinable, have_line;
	size_t n;

	s = catalog_concert(r->db, &r->arena, r->id, r->now, &c, &perfs, &n);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	if (r->logged_in && (s = queue_status(r->db, c.id, r->session.user_id, NULL,
	    r->now, req_settings(r), &q))
	    != BO_OK) {
		page_status(r, s);
		return;
	}
	d = view_page(r, TMPL_CONCERT, c.title);
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
		view_set(p, "date", view_date(r, perfs[i].starts_at));
		view_set(p, "time", view_time(r, perfs[i].starts_at));
		tdict_str(p, "seats_left", view_count(r, perfs[i].seats_left));
		tdict_str(p, "seat_count", view_count(r, perfs[i].seat_count));
		tdict_str(p, "price_from", view_money(r, perfs[i].min_price));
		tdict_bool(p, "on_sale", sale == SALE_OPEN && perfs[i].seats_left > 0);
		tdict_bool(p, "sold_out", sale == SALE_OPEN && perfs[i].seats_left == 0);
		if (sale == SALE_NOT_YET)
			view_set(p, "opens", view_datetime(r, perfs[i].sale_opens_at));
		tdict_bool(p, "closed", sale == SALE_CLOSED);
		tdict_bool(p, "cancelled", sale == SALE_CANCELLED);
	}
	any_open = catalog_concert_on_sale(perfs, n, r->now, NULL);
	/* The line takes joins while a sale is open and in the pre-queue
	 * before the first one. */
	in_line = q.state == Q_WAITING || q.state == Q_PREQUEUE ||
	    q.state == Q_CALLED;
	have_line = !any_open && worker_cache_queue_state(r, c.id, &line) == BO_OK;
	joinable = any_open || (have_line && line.state == QL_PREQUEUE &&
	    r->now >= line.prequeue_opens);
	tdict_bool(d, "active", q.state == Q_ACTIVE);
	tdict_bool(d, "waiting", in_line);
	tdict_bool(d, "can_join", r->logged_in && joinable && !in_line &&
	    q.state != Q_ACTIVE);
	tdict_bool(d, "not_on_sale", !joinable && n > 0);
	/* Before the pre-queue: when the line opens, and the rule of the
	 * draw (review 10, item 5: the line opens before the sale does). */
	if (!joinable && have_line && line.state == QL_PREQUEUE) {
		view_set(d, "line_opens", view_datetime(r, line.prequeue_opens));
		view_set(d, "sale_opens", view_datetime(r, line.opens_at));
	}
	tdict_bool(d, "prequeue", joinable && !any_open);
	/* Logged out: the page's main button is logging in to buy. */
	tdict_bool(d, "buy_login", !r->logged_in && joinable);
	if (q.state == Q_WAITING)
		tdict_int(d, "position", q.ahead + 1);
	/* Seats held and not paid yet, whatever the turn: they are payable
	 * until their deadline, and leaving the queue would release them. */
	ui_unpaid_holds(r, d, c.id, 1);
	if (q.state == Q_ACTIVE) {
		view_set(d, "turn_until", view_time(r, q.active_until));
		tdict_int(d, "turn_minutes", (q.active_until - r->now + 59) / 60);
	}
	view_render(r, TMPL_CONCERT, d);
}
