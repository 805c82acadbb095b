/*
 * page_holds.c — holding a seat, paying for it, giving it back.
 *
 * POST /performances/{id}/holds  seat…, csrf; login + ACTIVE ticket
 *        → 303 /holds/{hold} (one seat), or 303 /orders/{order} (several,
 *          or a seat more while the buyer has an order of the date: it
 *          joins that order and its deadline); a seat just taken or
 *          max_holds reached → 303 to the seat map saying so, the other
 *          picks kept (ui_map_refused)
 * GET  /holds/{id}               login, own hold: seat, price, balance, the
 *        deadline as a clock time (and a live countdown with JavaScript),
 *        pay and release buttons; a paid hold shows the ticket
 * POST /holds/{id}/pay           csrf → 303 /holds/{id} ("Paid!"); lapsed or
 *        released (leaving the queue releases) → 410; short balance → 402
 *        with a link to charge (the hold is kept); paying twice pays once.
 *        No queue turn needed: a live hold may be paid until it lapses.
 * POST /holds/{id}/release       csrf → 303 to the seat map; the seat is free
 */
#include <stdio.h>

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

/* A refused hold with no map to show it on: the queue gate, or the
 * table's words. */
static void
hold_refused(struct req *r, const struct outcomes *op, enum bo_status s)
{
	struct queue_view q;

	if (s == BO_FORBIDDEN) {
		struct concert c;
		struct performance p;

		/* No ACTIVE ticket: the gate says where to go. */
		if (catalog_performance(r->db, &r->arena, r->id, r->now, &c, &p,
		    NULL, NULL) == BO_OK && !ui_queue_gate(r, c.id, &q))
			return;
	}
	page_outcome(r, op, s);
}

/* Does the buyer have a live order of this date (a seat of it held),
 * which a seat picked now joins (order_add)? A read before the write: if
 * the order lapses between, order_add makes a new one, which is right. */
static int
has_order(struct req *r)
{
	struct my_seat *m;
	size_t n;

	if (seats_mine(r->db, &r->arena, r->session.user_id, r->id, r->now, &m,
	    &n) != BO_OK)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!m[i].paid && m[i].order_id != 0)
			return 1;
	return 0;
}

void
page_hold_create(struct req *r)
{
	struct order_refusal why;
	struct order_view o;
	int64_t *seats, hold_id = 0;
	size_t n;
	enum bo_status s;

	if (!ui_seat_picks(r, &r->form, 0, &seats, &n) || n == 0) {
		page_error(r, HTTP_400, "Choose a seat on the map first.");
		return;
	}
	/* Several, or a seat more for the seats held already: one order,
	 * all or none, so one deadline and one payment. */
	if (n > 1 || has_order(r)) {
		s = order_add(r->db, &r->arena, r->id, seats, n,
		    r->session.user_id, r->now, req_settings(r), &o, &why);
		if (s == BO_OK)
			req_redirect(r, arena_printf(&r->arena, "/orders/%lld",
			    (long long)o.id));
		else if (s == BO_CONFLICT) /* the map, naming them, the others
		                            * still picked */
			ui_map_refused(r, seats, n, why.taken, why.ntaken,
			    UI_REFUSED_TAKEN);
		else if (s == BO_LIMIT)
			ui_map_refused(r, seats, n, NULL, 0, UI_REFUSED_LIMIT);
		else
			hold_refused(r, &ORDER_OUTCOMES, s);
		return;
	}
	s = hold_create(r->db, r->id, seats[0], r->session.user_id, r->now,
	    req_settings(r), NULL, &hold_id);
	if (s == BO_OK)
		req_redirect(r, arena_printf(&r->arena, "/holds/%lld",
		    (long long)hold_id));
	else if (s == BO_CONFLICT) /* the seat taken: the map, saying so */
		ui_map_refused(r, seats, 1, seats, 1, UI_REFUSED_TAKEN);
	else if (s == BO_LIMIT)
		ui_map_refused(r, seats, 1, NULL, 0, UI_REFUSED_LIMIT);
	else
		hold_refused(r, &HOLD_OUTCOMES, s);
}

/* Loads the buyer's hold {id}, answering 404/403 itself. */
static int
own_hold(struct req *r, struct hold_view *h)
{
	enum bo_status s = hold_get(r->db, &r->arena, r->id, r->session.user_id,
	    r->now, h);

	if (s != BO_OK)
		page_outcome(r, &HOLD_GET_OUTCOMES, s);
	return s == BO_OK;
}

void
page_hold(struct req *r)
{
	struct hold_view h;
	struct tdict *d;
	int64_t balance = r->session.balance;

	if (!own_hold(r, &h))
		return;
	d = view_page(r, TMPL_HOLD, "Your seat");
	tdict_int(d, "hold_id", h.id);
	tdict_int(d, "pid", h.performance_id);
	tdict_int(d, "concert_id", h.concert_id);
	tdict_str(d, "concert_title", h.concert_title);
	tdict_str(d, "venue", h.venue);
	view_set(d, "date", view_date(r, h.starts_at));
	view_set(d, "time", view_time(r, h.starts_at));
	tdict_str(d, "section", h.section);
	tdict_str(d, "row", h.row);
	tdict_int(d, "number", h.number);
	tdict_str(d, "price", view_money(r, h.price));
	tdict_str(d, "balance", view_money(r, balance));
	switch (h.state) {
	case HOLD_HELD:
		tdict_bool(d, "held", 1);
		view_set(d, "deadline", view_clock(r, h.expires_at));
		tdict_int(d, "deadline_epoch", h.expires_at);
		tdict_int(d, "now_epoch", r->now);
		tdict_int(d, "minutes_left", (h.expires_at - r->now + 59) / 60);
		if (balance >= h.price) {
			tdict_bool(d, "can_pay", 1);
		} else {
			tdict_str(d, "short_by", view_money(r, h.price - balance));
			tdict_int(d, "short_amount", h.price - balance);
		}
		break;
	case HOLD_PAID:
		tdict_bool(d, "paid", 1);
		view_set(d, "paid_at", view_datetime(r, h.paid_at));
		tdict_int(d, "payment_id", h.payment_id);
		/* What the door needs is the ticket's code, not the payment's
		 * number (which says "1" for anyone's first purchase). */
		tdict_int(d, "ticket_id", h.ticket_id);
		if (h.ticket_code[0] != '\0')
			ui_ticket_code(r, d, h.ticket_code);
		break;
	case HOLD_RELEASED:
		if (h.refunded_at != 0)
			view_set(d, "refunded_at", view_datetime(r,
			    h.refunded_at));
		else
			tdict_bool(d, "released", 1);
		break;
	case HOLD_EXPIRED:
		tdict_bool(d, "expired", 1);
		break;
	}
	view_render(r, TMPL_HOLD, d);
}

void
page_hold_pay(struct req *r)
{
	int64_t payment;
	int already;
	enum bo_status s = payment_pay(r->db, r->id, r->session.user_id, r->now,
	    NULL, &payment, &already);
	struct hold_view h;

	switch (s) {
	case BO_OK:
		view_redirect(r, arena_printf(&r->arena, "/holds/%lld",
		    (long long)r->id), NOTICE_PAID);
		return;
	case BO_GONE: /* lapsed, or released: which, and a way back */
		if (own_hold(r, &h))
			page_outcome_say(r, &PAY_OUTCOMES, s, h.state == HOLD_RELEASED ?
			    N_("This seat was released before it was paid (leaving "
			    "the queue releases the seats you held), so it went back "
			    "on sale. Nothing was charged.") : NULL,
			    arena_printf(&r->arena, "/performances/%lld",
			    (long long)h.performance_id), N_("Back to the seat map"));
		return;
	case BO_INSUFFICIENT: /* how much is missing, and a way to top up */
		if (own_hold(r, &h))
			page_outcome_say_html(r, &PAY_OUTCOMES, s, VIEW_HTMLF(r,
			    tr(r, "Your balance is %1$s and this seat costs %2$s. Your "
			    "hold is kept until %3$s: top up your wallet and pay."),
			    view_text(r, view_money(r, r->session.balance)),
			    view_text(r, view_money(r, h.price)),
			    view_clock(r, h.expires_at)),
			    arena_printf(&r->arena, "/wallet?amount=%lld&next=/holds/%lld",
			    (long long)(h.price - r->session.balance), (long long)h.id),
			    N_("Top up your wallet"));
		return;
	default:
		page_outcome(r, &PAY_OUTCOMES, s);
	}
}

void
page_hold_release(struct req *r)
{
	struct hold_view h;
	enum bo_status s;

	if (!own_hold(r, &h))
		return;
	s = hold_release(r->db, r->id, r->session.user_id, r->now);
	if (s == BO_GONE) {
		page_outcome_say(r, &RELEASE_OUTCOMES, s, NULL,
		    arena_printf(&r->arena, "/holds/%lld", (long long)h.id),
		    N_("See the hold"));
		return;
	}
	if (s != BO_OK) {
		page_outcome(r, &RELEASE_OUTCOMES, s);
		return;
	}
	view_redirect(r, arena_printf(&r->arena, "/performances/%lld",
	    (long long)h.performance_id), NOTICE_RELEASED);
}
