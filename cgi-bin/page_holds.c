/*
 * page_holds.c — holding a seat, paying for it, giving it back.
 *
 * POST /performances/{id}/holds  seat, csrf; login + ACTIVE ticket
 *        → 303 /holds/{hold}; a seat just taken → 409 with the seat map;
 *          max_holds reached → 409 with the seat map
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

/* The seats of why->taken in words ("S · Row C · Seat 2, …"). */
static const char *
taken_words(struct req *r, const int64_t *taken, size_t n)
{
	const char *words = NULL;

	for (size_t i = 0; i < n; i++) {
		struct seat gone;

		if (catalog_seat(r->db, &r->arena, r->id, taken[i], r->now, &gone)
		    != BO_OK)
			continue;
		words = arena_printf(&r->arena, "%s%s%s", words ? words : "",
		    words ? ", " : "", arena_printf(&r->arena,
		    tr(r, "%1$s · Row %2$s · Seat %3$lld"), gone.section, gone.row,
		    (long long)gone.number));
	}
	return words;
}

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

void
page_hold_create(struct req *r)
{
	struct order_refusal why;
	struct order_view o;
	struct ui_map_note note;
	int64_t *seats, hold_id = 0;
	size_t n;
	enum bo_status s;

	if (!ui_seat_picks(r, &r->form, 0, &seats, &n) || n == 0) {
		page_error(r, HTTP_400, "Choose a seat on the map first.");
		return;
	}
	memset(&note, 0, sizeof note);
	if (n > 1) { /* several: one order, all or none */
		s = order_create(r->db, &r->arena, r->id, seats, n,
		    r->session.user_id, r->now, req_settings(r), NULL, &o, &why);
		if (s == BO_OK) {
			req_redirect(r, arena_printf(&r->arena, "/orders/%lld",
			    (long long)o.id));
			return;
		}
		if (s == BO_CONFLICT || s == BO_LIMIT) {
			/* The map again, saying which, the others still
			 * picked. */
			note.taken = s == BO_CONFLICT ? taken_words(r, why.taken,
			    why.ntaken) : NULL;
			note.limit = s == BO_LIMIT;
			note.several = 1;
			ui_seat_map(r, seats, n, outcome_page_status(&ORDER_OUTCOMES,
			    s), &note);
			return;
		}
		hold_refused(r, &ORDER_OUTCOMES, s);
		return;
	}
	s = hold_create(r->db, r->id, seats[0], r->session.user_id, r->now,
	    req_settings(r), NULL, &hold_id);
	if (s == BO_OK) {
		req_redirect(r, arena_printf(&r->arena, "/holds/%lld",
		    (long long)hold_id));
		return;
	}
	/* The seat taken or the limit reached: the seat map again, saying
	 * so. */
	if (s == BO_CONFLICT || s == BO_LIMIT) {
		note.taken = s == BO_CONFLICT ? taken_words(r, seats, 1) : NULL;
		note.limit = s == BO_LIMIT;
		ui_seat_map(r, NULL, 0, outcome_page_status(&HOLD_OUTCOMES, s),
		    &note);
		return;
	}
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
	tdict_str(d, "date", view_date(r, h.starts_at));
	tdict_str(d, "time", view_time(r, h.starts_at));
	tdict_str(d, "section", h.section);
	tdict_str(d, "row", h.row);
	tdict_int(d, "number", h.number);
	tdict_str(d, "price", view_money(r, h.price));
	tdict_str(d, "balance", view_money(r, balance));
	switch (h.state) {
	case HOLD_HELD:
		tdict_bool(d, "held", 1);
		tdict_str(d, "deadline", view_clock(r, h.expires_at));
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
		tdict_str(d, "paid_at", view_datetime(r, h.paid_at));
		tdict_int(d, "payment_id", h.payment_id);
		/* What the door needs is the ticket's code, not the payment's
		 * number (which says "1" for anyone's first purchase). */
		tdict_int(d, "ticket_id", h.ticket_id);
		if (h.ticket_code[0] != '\0')
			ui_ticket_code(r, d, h.ticket_code);
		break;
	case HOLD_RELEASED:
		if (h.refunded_at != 0)
			tdict_str(d, "refunded_at", view_datetime(r,
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
			page_outcome_say(r, &PAY_OUTCOMES, s, arena_printf(&r->arena,
			    tr(r, "Your balance is %1$s and this seat costs %2$s. Your "
			    "hold is kept until %3$s: top up your wallet and pay."),
			    view_money(r, r->session.balance), view_money(r, h.price),
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
