/*
 * page_admin_cancel.c — cancelling a performance from the browser
 * (core/refund.h refund_cancel_performance; the CLI's cancel-performance
 * does the same).
 *
 * GET  /admin/performances/{id}/cancel  operator: what cancelling does to
 *        this date (its tickets refunded to their buyers' balances, the
 *        door and the sale closed to it, for good), with its sold tickets
 *        and gross, and a form that asks to confirm it in words; once
 *        cancelled, when, what was refunded and what is left to refund.
 * POST /admin/performances/{id}/cancel  csrf, confirm=yes → runs it (one
 *        transaction to cancel, then refunds in short batches) and 303 to
 *        the GET page, which says how it stands. Without confirm: 422 and
 *        the page again, nothing changed. Run again, it finishes refunds a
 *        run cut short left (already cancelled is not an error).
 *
 * The router lets only operators in (RF_OPERATOR): a buyer gets 403.
 */
#include <string.h>

#include "outcome.h"
#include "pages.h"
#include "refund.h"
#include "report.h"
#include "ui_shared.h"
#include "view.h"

/* Performance r->id as the operator's reports count it into *p; 0 after
 * answering (404 for no such performance, 503 …). */
static int
performance_of(struct req *r, struct report_performance *p)
{
	struct report_section *sections;
	enum bo_status s;
	size_t n;

	s = report_sales(r->db, &r->arena, r->id, r->now, p, &sections, &n);
	if (s != BO_OK)
		page_status(r, s);
	return s == BO_OK;
}

/* The page for performance r->id answering status, error (NULL: none)
 * above the form. */
static void
cancel_page(struct req *r, enum http_status status, const char *error)
{
	struct report_performance p;
	struct tdict *d;

	if (!performance_of(r, &p))
		return;
	r->status = status;
	d = view_page(r, TMPL_ADMIN_CANCEL, "Cancel a performance");
	tdict_int(d, "pid", p.id);
	tdict_str(d, "concert_title", p.concert_title);
	tdict_str(d, "date", view_date(r, p.starts_at));
	tdict_str(d, "time", view_time(r, p.starts_at));
	tdict_str(d, "sold", view_count(r, p.seats.sold));
	tdict_str(d, "gross", view_money(r, p.seats.gross));
	tdict_str(d, "held", view_count(r, p.seats.held));
	tdict_str(d, "refunded", view_count(r, p.refunded));
	if (error != NULL)
		tdict_str(d, "error", error);
	if (p.cancelled_at != 0) {
		tdict_str(d, "cancelled_at", view_datetime(r, p.cancelled_at));
		/* Sold and not refunded: what a run cut short left. */
		tdict_bool(d, "unfinished", p.seats.sold > 0);
	} else if (p.starts_at <= r->now) {
		tdict_bool(d, "over", 1); /* it took place: nothing to cancel */
	} else {
		tdict_bool(d, "can_cancel", 1);
	}
	view_render(r, TMPL_ADMIN_CANCEL, d);
}

void
page_admin_cancel(struct req *r)
{
	cancel_page(r, HTTP_200, NULL);
}

void
page_admin_cancel_post(struct req *r)
{
	const struct audit_actor op = { r->session.user_id, NULL };
	const char *confirm = req_form(r, "confirm");
	struct report_performance p;
	struct refund_cancelled out;
	enum bo_status s;

	if (!performance_of(r, &p))
		return;
	/* A date that took place is not cancelled from here: its tickets
	 * were used; refunds one by one remain (the refund page). */
	if (p.cancelled_at == 0 && p.starts_at <= r->now) {
		cancel_page(r, HTTP_409, tr(r, "This performance has taken place: "
		    "it cannot be cancelled. Refund tickets one by one instead."));
		return;
	}
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		cancel_page(r, HTTP_422, tr(r, "Tick the box to confirm: "
		    "cancelling cannot be undone."));
		return;
	}
	s = refund_cancel_performance(r->db, r->id, &op, r->now, &out);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	req_redirect(r, arena_printf(&r->arena, "/admin/performances/%lld/cancel",
	    (long long)r->id));
}
