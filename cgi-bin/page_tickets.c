/*
 * page_tickets.c — the printable ticket of one seat.
 *
 * GET /tickets/{id}   login: concert, date and time with the venue's
 *        zone, venue, seat, the code grouped for reading aloud and its QR
 *        code (the canonical code: what the door scans); print CSS shows
 *        the ticket alone. A refunded ticket says so, without a QR code.
 *        Only its owner or staff may open it (core/ticket.c decides);
 *        anyone else gets 404, not a hint that it exists.
 */
#include <stdio.h>

#include "outcome.h"
#include "pages.h"
#include "qr_svg.h"
#include "ticket.h"
#include "ui_shared.h"
#include "view.h"

void
page_ticket(struct req *r)
{
	struct ticket_view t;
	struct tdict *d;
	enum bo_status s;

	s = ticket_show(r->db, &r->arena, r->id, r->session.user_id, &t);
	if (s != BO_OK) {
		page_outcome(r, &TICKET_SHOW_OUTCOMES, s);
		return;
	}
	d = view_page(r, TMPL_TICKET, arena_printf(&r->arena, tr(r, "Ticket · %s"),
	    t.concert_title));
	tdict_str(d, "concert_title", t.concert_title);
	tdict_str(d, "artist", t.artist);
	tdict_str(d, "venue", t.venue);
	view_set(d, "date", view_date(r, t.starts_at));
	view_set(d, "time", view_time(r, t.starts_at));
	tdict_str(d, "section", t.section);
	tdict_str(d, "row", t.row);
	tdict_int(d, "number", t.number);
	tdict_str(d, "price", view_money(r, t.price));
	view_set(d, "paid_at", view_datetime(r, t.created_at));
	tdict_bool(d, "own", t.own);
	if (t.refunded_at != 0) {
		tdict_bool(d, "refunded", 1);
		view_set(d, "refunded_at", view_datetime(r, t.refunded_at));
	} else {
		ui_ticket_code(r, d, t.code);
		if (t.checked_in_at != 0)
			view_set(d, "checked_in_at",
			    view_datetime(r, t.checked_in_at));
	}
	view_render(r, TMPL_TICKET, d);
}
