/*
 * page_orders.c — several seats held as one order: best available, the
 * order page, paying once, giving seats back.
 *
 * POST /performances/{id}/best   section, count, csrf; login + ACTIVE
 *        ticket → 303 /orders/{order}: count adjacent free seats of the
 *        section, chosen and held in one transaction (core/order.c),
 *        joining the buyer's live order of the date when there is one (its
 *        deadline, one payment); none side by side, or max_holds → 303 to
 *        the seat map saying so (ui_map_refused)
 * GET  /orders/{id}              login, own order: every seat with its
 *        price and state, the total, the one deadline (a clock time and a
 *        live countdown with JavaScript), pay, and after it, folded away,
 *        release one or all; its heading counts the seats held or paid; a
 *        paid order shows its seats as bought
 * POST /orders/{id}/pay          csrf → 303 /orders/{id} ("Paid!"): the
 *        seats still held, paid together (one payment, one debit); lapsed
 *        → 410; short balance → 402 with a link to top up; paying twice
 *        pays once. No queue turn needed, as for one seat.
 * POST /orders/{id}/release      hold (optional), csrf → 303 back to the
 *        order (one seat) or to the seat map (all of them)
 */
#include <string.h>

#include "catalog.h"
#include "hold.h"
#include "order.h"
#include "outcome.h"
#include "pages.h"
#include "parse.h"
#include "payment.h"
#include "queue.h"
#include "ui_shared.h"
#include "view.h"

void
page_best(struct req *r)
{
	struct order_view o;
	const char *section = req_form(r, "section");
	int64_t count;
	enum bo_status s;

	if (section == NULL || *section == '\0' ||
	    !parse_int64(req_form(r, "count"), 1, ORDER_MAX_SEATS, &count)) {
		page_outcome(r, &BEST_OUTCOMES, BO_INVALID);
		return;
	}
	/* Chosen and held in one transaction (never the same seats for two
	 * buyers), joining the buyer's order of the date if there is one:
	 * one deadline, one payment. */
	s = order_add_best(r->db, &r->arena, r->id, section, count,
	    r->session.user_id, r->now, req_settings(r), &o);
	if (s == BO_OK) {
		req_redirect(r, arena_printf(&r->arena, "/orders/%lld",
		    (long long)o.id));
		return;
	}
	if (s == BO_CONFLICT || s == BO_LIMIT) {
		ui_map_refused(r, NULL, 0, NULL, 0, s == BO_CONFLICT ?
		    UI_REFUSED_BEST_NONE : UI_REFUSED_BEST_LIMIT);
		return;
	}
	if (s == BO_FORBIDDEN) {
		struct queue_view q;
		struct concert c;
		struct performance p;

		if (catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p,
		    NULL, NULL) == BO_OK && !ui_queue_gate(r, c.id, &q))
			return;
	}
	page_outcome(r, &BEST_OUTCOMES, s);
}

/* Loads the buyer's order {id}, answering 404/403 itself. */
static int
own_order(struct req *r, struct order_view *o)
{
	enum bo_status s = order_get(r->db, &r->arena, r->id, r->session.user_id,
	    r->now, o);

	if (s != BO_OK)
		page_outcome(r, &ORDER_GET_OUTCOMES, s);
	return s == BO_OK;
}

static const char *const state_words[] = {
	[HOLD_HELD] = N_("held"), [HOLD_PAID] = N_("paid"),
	[HOLD_RELEASED] = N_("released"), [HOLD_EXPIRED] = N_("expired"),
};

void
page_order(struct req *r)
{
	struct order_view o;
	struct tdict *d;
	int64_t balance = r->session.balance, payment = 0;
	size_t live;

	if (!own_order(r, &o))
		return;
	/* The seats the order still has: held or paid, not the ones given
	 * back or lapsed (review 10 item 14: "3 seats" after one was
	 * released). All gone: the seats it had, as the table lists them. */
	live = o.held + o.paid > 0 ? o.held + o.paid : o.n;
	d = view_page(r, TMPL_ORDER, live == 1 ? N_("Your seat") : N_("Your seats"));
	tdict_int(d, "order_id", o.id);
	tdict_int(d, "pid", o.performance_id);
	tdict_int(d, "concert_id", o.concert_id);
	tdict_str(d, "concert_title", o.concert_title);
	tdict_str(d, "venue", o.venue);
	view_set(d, "date", view_date(r, o.starts_at));
	view_set(d, "time", view_time(r, o.starts_at));
	tdict_str(d, "balance", view_money(r, balance));
	for (size_t i = 0; i < o.n; i++) {
		const struct hold_view *h = &o.holds[i];
		struct tdict *sd = tdict_add(d, "seats");

		tdict_int(sd, "hold_id", h->id);
		tdict_str(sd, "section", h->section);
		tdict_str(sd, "row", h->row);
		tdict_int(sd, "number", h->number);
		tdict_str(sd, "price", view_money(r, h->price));
		tdict_str(sd, "state", tr(r, state_words[h->state]));
		tdict_bool(sd, "releasable", h->state == HOLD_HELD && o.held > 1);
		if (h->state == HOLD_PAID)
			payment = h->payment_id;
	}
	tdict_str(d, "count", live == 1 ? tr(r, "1 seat") : arena_printf(&r->arena,
	    tr(r, "%zu seats"), live));
	if (o.held > 0) {
		tdict_bool(d, "held", 1);
		tdict_str(d, "total", view_money(r, o.total));
		tdict_str(d, "pay_label", arena_printf(&r->arena,
		    tr(r, "Pay %1$s for %2$s"), view_money(r, o.total),
		    o.held == 1 ? tr(r, "1 seat") :
		    arena_printf(&r->arena, tr(r, "%zu seats"), o.held)));
		view_set(d, "deadline", view_clock(r, o.expires_at));
		tdict_int(d, "deadline_epoch", o.expires_at);
		tdict_int(d, "now_epoch", r->now);
		tdict_int(d, "minutes_left", (o.expires_at - r->now + 59) / 60);
		if (balance >= o.total) {
			tdict_bool(d, "can_pay", 1);
		} else {
			tdict_str(d, "short_by", view_money(r, o.total - balance));
			tdict_int(d, "short_amount", o.total - balance);
		}
	} else if (o.paid > 0) {
		tdict_bool(d, "paid", 1);
		tdict_str(d, "paid_total", view_money(r, o.paid_total));
		tdict_int(d, "payment_id", payment);
	} else {
		tdict_bool(d, "over", 1);
	}
	view_render(r, TMPL_ORDER, d);
}

void
page_order_pay(struct req *r)
{
	struct payment_view v;
	struct order_view o;
	int64_t *holds;
	size_t n = 0;
	int already = 0;
	enum bo_status s;

	if (!own_order(r, &o))
		return;
	holds = arena_alloc(&r->arena, (o.n ? o.n : 1) * sizeof *holds);
	for (size_t i = 0; i < o.n; i++)
		if (o.holds[i].state == HOLD_HELD ||
		    (o.held == 0 && o.holds[i].state == HOLD_PAID))
			holds[n++] = o.holds[i].id;
	/* Nothing held or paid: the deadline passed, or all released. */
	s = n > 0 ? payment_pay_holds(r->db, &r->arena, holds, n,
	    r->session.user_id, r->now, NULL, &already, &v) : BO_GONE;
	switch (s) {
	case BO_OK:
		view_redirect(r, arena_printf(&r->arena, "/orders/%lld",
		    (long long)o.id), NOTICE_PAID_ALL);
		return;
	case BO_GONE:
		page_outcome_say(r, &PAY_OUTCOMES, s, "These seats are no longer "
		    "held for you (their time ran out, or they were released), so "
		    "they went back on sale. Nothing was charged.",
		    arena_printf(&r->arena, "/performances/%lld",
		    (long long)o.performance_id), N_("Back to the seat map"));
		return;
	case BO_INSUFFICIENT:
		page_outcome_say_html(r, &PAY_OUTCOMES, s, VIEW_HTMLF(r,
		    tr(r, "Your balance is %1$s and these seats cost %2$s. They "
		    "are kept for you until %3$s: top up your wallet and pay."),
		    view_text(r, view_money(r, r->session.balance)),
		    view_text(r, view_money(r, o.total)),
		    view_clock(r, o.expires_at)),
		    arena_printf(&r->arena, "/wallet?amount=%lld&next=/orders/%lld",
		    (long long)(o.total - r->session.balance), (long long)o.id),
		    N_("Top up your wallet"));
		return;
	default:
		page_outcome(r, &PAY_OUTCOMES, s);
	}
}

void
page_order_release(struct req *r)
{
	struct order_view o;
	int64_t hold = 0;
	enum bo_status s;
	size_t i;

	if (!own_order(r, &o))
		return;
	if (req_form(r, "hold") == NULL) {
		s = order_release(r->db, o.id, r->session.user_id, r->now);
		if (s != BO_OK) {
			page_outcome(r, &ORDER_RELEASE_OUTCOMES, s);
			return;
		}
		view_redirect(r, arena_printf(&r->arena, "/performances/%lld",
		    (long long)o.performance_id), NOTICE_RELEASED);
		return;
	}
	if (!parse_int64(req_form(r, "hold"), 1, INT64_MAX, &hold)) {
		page_error(r, HTTP_400, "That is not one of the seats of this order.");
		return;
	}
	for (i = 0; i < o.n && o.holds[i].id != hold; i++)
		;
	if (i == o.n) {
		page_error(r, HTTP_400, "That is not one of the seats of this order.");
		return;
	}
	s = hold_release(r->db, hold, r->session.user_id, r->now);
	if (s != BO_OK) {
		page_outcome(r, &RELEASE_OUTCOMES, s);
		return;
	}
	req_redirect(r, arena_printf(&r->arena, "/orders/%lld", (long long)o.id));
}
