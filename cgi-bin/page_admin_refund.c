/*
 * page_admin_refund.c — the operator's refund form (core/refund.h).
 *
 * GET  /admin/refund[?code=CODE]  operator: a box to type or paste a
 *        ticket code; with a code, the ticket (buyer, seat, price, state)
 *        and, while it can be refunded, the button that does it. A code
 *        that is not one (a typo the check symbol catches) → 422, no
 *        such ticket → 404, both with the box again.
 * POST /admin/refund  code, csrf; operator → 303
 *        /admin/refund?code=CODE ("Refunded"); refunded before, used at
 *        the door → the ticket again with the reason (REFUND_OUTCOMES);
 *        nothing changed. Audited with the operator as the actor.
 *
 * The router lets only operators in (RF_OPERATOR): a buyer gets 403.
 */
#include "outcome.h"
#include "pages.h"
#include "refund.h"
#include "ticket_code.h"
#include "ui_shared.h"
#include "view.h"

/* The page: the box with typed (NULL: empty), and when t is not NULL the
 * ticket; error (NULL: none) on it, answering status. error is a msgid
 * (the outcome tables', ticket_code_message's): shown in the operator's
 * language. */
static void
refund_page(struct req *r, enum http_status status, const char *typed,
    const struct refund_ticket *t, const char *error)
{
	char grouped[TICKET_CODE_GROUPED_SIZE];
	struct tdict *d;

	r->status = status;
	d = view_page(r, TMPL_ADMIN_REFUND, "Refund a ticket");
	tdict_str(d, "zone", view_zone(r));
	if (typed != NULL)
		tdict_str(d, "typed", typed);
	if (error != NULL)
		tdict_str(d, "error", tr(r, error));
	if (t != NULL) {
		ticket_code_group(t->code, grouped);
		tdict_bool(d, "found", 1);
		tdict_str(d, "code", t->code);
		tdict_str(d, "grouped", grouped);
		tdict_str(d, "email", t->email);
		tdict_str(d, "concert_title", t->concert_title);
		tdict_str(d, "venue", t->venue);
		view_set(d, "date", view_date(r, t->starts_at));
		view_set(d, "time", view_time(r, t->starts_at));
		tdict_str(d, "section", t->section);
		tdict_str(d, "row", t->row);
		tdict_int(d, "number", t->number);
		tdict_str(d, "price", view_money(r, t->price));
		view_set(d, "paid_at", view_datetime(r, t->paid_at));
		if (t->refunded_at != 0)
			view_set(d, "refunded_at", view_datetime(r,
			    t->refunded_at));
		else if (t->used_at != 0)
			view_set(d, "used_at", view_datetime(r, t->used_at));
		else
			tdict_bool(d, "can_refund", 1);
		tdict_bool(d, "cancelled", t->cancelled_at != 0);
	}
	view_render(r, TMPL_ADMIN_REFUND, d);
}

/* Reads the code typed into canonical code, or answers 422 with the box
 * again and returns 0. */
static int
code_arg(struct req *r, const char *typed, char code[TICKET_CODE_SIZE])
{
	enum ticket_code_problem p = ticket_code_parse(typed, code);

	if (p == TICKET_CODE_OK)
		return 1;
	refund_page(r, HTTP_422, typed, NULL, ticket_code_message(p));
	return 0;
}

void
page_admin_refund(struct req *r)
{
	const char *typed = req_query(r, "code");
	char code[TICKET_CODE_SIZE];
	struct refund_ticket t;
	enum bo_status s;

	if (typed == NULL) {
		refund_page(r, HTTP_200, NULL, NULL, NULL);
		return;
	}
	if (!code_arg(r, typed, code))
		return;
	s = refund_find(r->db, &r->arena, code, &t);
	if (s == BO_NOT_FOUND)
		refund_page(r, outcome_page_status(&REFUND_OUTCOMES, s), typed,
		    NULL, outcome_of(&REFUND_OUTCOMES, s)->page);
	else if (s != BO_OK)
		page_status(r, s);
	else
		refund_page(r, HTTP_200, typed, &t, NULL);
}

void
page_admin_refund_post(struct req *r)
{
	const struct audit_actor op = { r->session.user_id, NULL };
	const char *typed = req_form(r, "code");
	char code[TICKET_CODE_SIZE];
	struct refund_ticket t;
	enum bo_status s;

	if (typed == NULL)
		typed = "";
	if (!code_arg(r, typed, code))
		return;
	s = refund_ticket(r->db, &r->arena, code, &op, r->now, &t);
	switch (s) {
	case BO_OK:
		view_redirect(r, arena_printf(&r->arena, "/admin/refund?code=%s",
		    code), NOTICE_REFUNDED);
		return;
	case BO_NOT_FOUND:
		refund_page(r, outcome_page_status(&REFUND_OUTCOMES, s), typed,
		    NULL, outcome_of(&REFUND_OUTCOMES, s)->page);
		return;
	case BO_GONE:
	case BO_CONFLICT:
	case BO_LIMIT: /* the ticket as it is, and why */
		refund_page(r, outcome_page_status(&REFUND_OUTCOMES, s), typed,
		    &t, outcome_of(&REFUND_OUTCOMES, s)->page);
		return;
	default:
		page_outcome(r, &REFUND_OUTCOMES, s);
	}
}
