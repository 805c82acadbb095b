/*
 * page_cancel.c — a buyer cancels their own ticket for a refund to their
 * balance (core/refund.h), while cancel_until_hours allows.
 *
 * GET  /holds/{id}/cancel   login, own paid seat: the confirmation page
 *        (the seat, the amount, that it goes back to the balance, the
 *        deadline with its zone); too late, "off", refunded before or
 *        used at the door → the reason (CANCEL_OUTCOMES)
 * POST /holds/{id}/cancel   csrf → 303 /bookings ("Cancelled"); refused →
 *        the reason, nothing changed. Another buyer's ticket is a 404.
 */
#include "outcome.h"
#include "pages.h"
#include "refund.h"
#include "ui_shared.h"
#include "view.h"

/* Answers refusal s of ticket t, in words beyond the table's where the
 * deadline says more. */
static void
refuse(struct req *r, enum bo_status s, const struct refund_ticket *t)
{
	int64_t hours = req_settings(r)->cancel_until_hours;
	int64_t deadline = refund_cancel_deadline(t->starts_at, hours);

	if (s == BO_FORBIDDEN && deadline == 0)
		page_outcome_say(r, &CANCEL_OUTCOMES, s, N_("This sale does not "
		    "offer cancellation: your ticket stands. Ask the box office "
		    "if you cannot come."), "/bookings", N_("My tickets"));
	else if (s == BO_FORBIDDEN)
		page_outcome_say_html(r, &CANCEL_OUTCOMES, s, VIEW_HTMLF(r,
		    tr(r, "Cancelling closed %1$s, %2$lld hours before the show: "
		    "your ticket stands."), view_datetime_zone(r, deadline),
		    view_text(r, view_count(r, hours))),
		    "/bookings", N_("My tickets"));
	else
		page_outcome_say(r, &CANCEL_OUTCOMES, s, NULL, "/bookings",
		    N_("My tickets"));
}

void
page_cancel_form(struct req *r)
{
	int64_t hours = req_settings(r)->cancel_until_hours;
	struct refund_ticket t;
	struct tdict *d;
	enum bo_status s;
	int64_t deadline;

	s = refund_find_mine(r->db, &r->arena, r->id, r->session.user_id, &t);
	deadline = refund_cancel_deadline(t.starts_at, hours);
	if (s == BO_OK && t.refunded_at != 0)
		s = BO_GONE;
	else if (s == BO_OK && t.used_at != 0)
		s = BO_CONFLICT;
	else if (s == BO_OK && (deadline == 0 || r->now >= deadline))
		s = BO_FORBIDDEN;
	if (s != BO_OK) {
		refuse(r, s, &t);
		return;
	}
	d = view_page(r, TMPL_CANCEL, "Cancel your ticket");
	tdict_int(d, "hold_id", t.hold_id);
	tdict_str(d, "concert_title", t.concert_title);
	tdict_str(d, "venue", t.venue);
	view_set(d, "date", view_date(r, t.starts_at));
	view_set(d, "time", view_time(r, t.starts_at));
	tdict_str(d, "section", t.section);
	tdict_str(d, "row", t.row);
	tdict_int(d, "number", t.number);
	tdict_str(d, "price", view_money(r, t.price));
	view_set(d, "cancel_until", view_datetime_zone(r, deadline));
	view_render(r, TMPL_CANCEL, d);
}

void
page_cancel(struct req *r)
{
	struct refund_ticket t;
	enum bo_status s;

	s = refund_cancel(r->db, &r->arena, r->id, r->session.user_id,
	    req_settings(r)->cancel_until_hours, r->now, &t);
	if (s != BO_OK) {
		refuse(r, s, &t);
		return;
	}
	view_redirect(r, "/bookings", NOTICE_CANCELLED);
}
