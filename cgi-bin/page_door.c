/*
 * page_door.c — letting people in at the door (staff; the router checks
 * the role before these run).
 *
 * GET  /door[?door=NAME]   which performance (the soonest first: tonight's
 *        on top; not the cancelled ones) and which door, asked once: the
 *        answer goes into the address, so a bookmark or a reload keeps it
 * GET  /door?performance=ID&door=NAME   the code box (autofocus; typing
 *        always works, a phone's camera too with JavaScript: door.js) and
 *        checked in / sold for the performance
 * POST /door               performance, door, code, csrf → the same page
 *        with the answer at once, in words and colour: ADMITTED and the
 *        seat (200); ALREADY USED with the first time and door (409);
 *        UNKNOWN CODE (404); REFUNDED (410); OTHER PERFORMANCE (422); a
 *        typo or not a code at all (422, without touching the database,
 *        the text kept in the box to correct)
 *
 * A performance that does not exist is a 404; a door name that cannot be
 * kept (core/checkin.h) comes back on the first form (422). A cancelled
 * performance is not on the first form, and picking it is a 410.
 */
#include <stdio.h>
#include <string.h>

#include "checkin.h"
#include "html.h"
#include "outcome.h"
#include "pages.h"
#include "parse.h"
#include "ui_shared.h"
#include "view.h"

/* The big word of each answer (the sentence is the outcome table's). */
static const char *const verdicts[BO__MAX] = {
	[BO_OK] = N_("ADMITTED"),
	[BO_CONFLICT] = N_("ALREADY USED"),
	[BO_NOT_FOUND] = N_("UNKNOWN CODE"),
	[BO_GONE] = N_("REFUNDED"),
	[BO_FORBIDDEN] = N_("OTHER PERFORMANCE"),
	[BO_INVALID] = N_("NOT A CODE"),
};

/* "19:02 KST", or with the date when it is not today's. */
static const char *
moment(struct req *r, int64_t t)
{
	if (strcmp(view_date(r, t), view_date(r, r->now)) == 0)
		return view_time(r, t);
	return arena_printf(&r->arena, "%s, %s", view_date(r, t),
	    view_time(r, t));
}

/* The first form: which performance, which door. */
static void
choose_page(struct req *r, enum http_status status, const char *door,
    int64_t pick, const char *door_error)
{
	struct door_performance *p;
	struct tdict *d;
	enum bo_status s;
	size_t n;

	if ((s = checkin_performances(r->db, &r->arena, r->now, &p, &n)) != BO_OK) {
		page_status(r, s);
		return;
	}
	r->status = status;
	d = view_page(r, TMPL_DOOR, "The door");
	tdict_bool(d, "choose", 1);
	if (door != NULL)
		tdict_str(d, "door", door);
	if (door_error != NULL)
		tdict_str(d, "door_error", door_error);
	for (size_t i = 0; i < n; i++) {
		struct tdict *t = tdict_add(d, "performances");

		tdict_int(t, "pid", p[i].id);
		tdict_str(t, "concert_title", p[i].concert_title);
		tdict_str(t, "venue", p[i].venue);
		tdict_str(t, "date", view_date(r, p[i].starts_at));
		tdict_str(t, "time", view_time(r, p[i].starts_at));
		tdict_bool(t, "today", strcmp(view_date(r, p[i].starts_at),
		    view_date(r, r->now)) == 0);
		tdict_str(t, "sold", view_count(r, p[i].sold));
		tdict_str(t, "checked_in", view_count(r, p[i].checked_in));
		tdict_bool(t, "checked", pick ? p[i].id == pick : i == 0);
	}
	view_render(r, TMPL_DOOR, d);
}

/* Reads the performance and door of the request (query for GET, form
 * for POST). 0 after answering: no performance (the first form), not a
 * number (400), a door name that cannot be kept (the first form, 422). */
static int
door_args(struct req *r, const char *perf, const char *door, int64_t *id)
{
	if (perf == NULL || *perf == '\0') {
		choose_page(r, HTTP_200, door, 0, NULL);
		return 0;
	}
	if (!parse_int64(perf, 1, INT64_MAX, id)) {
		page_error_link(r, HTTP_400, "That is not a performance: choose "
		    "one from the list.", "/door", N_("The door"));
		return 0;
	}
	if (door == NULL || !checkin_door_ok(door)) {
		choose_page(r, HTTP_422, door, *id, arena_printf(&r->arena,
		    tr(r, "Name the door in 1 to %d characters (letters, digits, "
		    "spaces)."), CHECKIN_DOOR_MAX));
		return 0;
	}
	return 1;
}

/* The code box for performance id at door, with an answer when c is not
 * NULL (s: what checkin_admit said). */
static void
door_page(struct req *r, int64_t id, const char *door, enum bo_status s,
    const struct checkin *c, const char *typed)
{
	struct door_performance p;
	enum bo_status rs;
	struct tdict *d;
	struct buf q = BUF_INIT;

	/* After the check-in: the counts include it. */
	if ((rs = checkin_performance(r->db, &r->arena, id, &p)) != BO_OK) {
		page_outcome_say(r, &COMMON_OUTCOMES, rs, rs == BO_NOT_FOUND ?
		    N_("There is no such performance.") : NULL, "/door",
		    N_("The door"));
		return;
	}
	/* Not offered on the list; picked by an old bookmark, it is refused.
	 * (A check-in posted from a page opened before the cancellation
	 * answers CANCELLED for the ticket, below.) */
	if (c == NULL && p.cancelled_at != 0) {
		page_error_link(r, HTTP_410, "That performance is cancelled: "
		    "nobody is let in to it. Choose another.", "/door",
		    N_("The door"));
		return;
	}
	r->status = c == NULL || s == BO_OK ? HTTP_200 :
	    outcome_page_status(checkin_outcomes(c->cancelled_at), s);
	if (r->status == HTTP_503)
		req_header(r, "Retry-After", "2");
	d = view_page(r, TMPL_DOOR, arena_printf(&r->arena, tr(r, "Door %s"), door));
	tdict_int(d, "pid", p.id);
	tdict_str(d, "concert_title", p.concert_title);
	tdict_str(d, "venue", p.venue);
	tdict_str(d, "date", view_date(r, p.starts_at));
	tdict_str(d, "time", view_time(r, p.starts_at));
	tdict_str(d, "sold", view_count(r, p.sold));
	tdict_str(d, "checked_in", view_count(r, p.checked_in));
	tdict_str(d, "door", door);
	url_encode(&q, door);
	tdict_str(d, "door_url", arena_strdup(&r->arena, buf_cstr(&q)));
	buf_free(&q);
	if (c != NULL) {
		tdict_bool(d, "answer", 1);
		tdict_bool(d, "admitted", s == BO_OK);
		tdict_str(d, "verdict", s == BO_GONE && c->cancelled_at != 0 ?
		    tr(r, "CANCELLED") : verdicts[s] ? tr(r, verdicts[s]) :
		    tr(r, "NOT CHECKED"));
		if (c->ticket_id != 0)
			tdict_str(d, "seat", arena_printf(&r->arena,
			    tr(r, "%1$s · Row %2$s · Seat %3$lld"), c->section, c->row,
			    (long long)c->number));
		if (s == BO_OK) {
			tdict_str(d, "message", tr(r, "Let them in."));
			tdict_str(d, "detail", arena_printf(&r->arena,
			    tr(r, "Admitted at %1$s at door %2$s."), moment(r, c->at),
			    c->door));
		} else if (s == BO_INVALID) {
			tdict_str(d, "message", tr(r, ticket_code_message(c->problem)));
			tdict_str(d, "detail", tr(r, "Nothing was looked up: correct "
			    "it and check again."));
			if (c->problem == TICKET_CODE_CHECK)
				tdict_str(d, "verdict", tr(r, "TYPO"));
			tdict_str(d, "typed", typed);
		} else {
			tdict_str(d, "message", tr(r, outcome_of(checkin_outcomes(
			    c->cancelled_at), s)->page));
		}
		if (s == BO_CONFLICT)
			tdict_str(d, "detail", arena_printf(&r->arena,
			    tr(r, "First let in at %1$s at door %2$s."), moment(r, c->at),
			    c->door));
		else if (s == BO_GONE && c->refunded_at != 0)
			tdict_str(d, "detail", arena_printf(&r->arena,
			    tr(r, "Refunded %s."), view_datetime(r, c->refunded_at)));
		else if (s == BO_GONE)
			tdict_str(d, "detail", arena_printf(&r->arena,
			    tr(r, "Cancelled %s."), view_datetime(r, c->cancelled_at)));
		else if (s == BO_FORBIDDEN)
			tdict_str(d, "detail", arena_printf(&r->arena,
			    tr(r, "It is for %1$s on %2$s at %3$s."), c->concert_title,
			    view_date(r, c->starts_at),
			    view_time(r, c->starts_at)));
	}
	view_render(r, TMPL_DOOR, d);
}

void
page_door(struct req *r)
{
	const char *door = req_query(r, "door");
	int64_t id;

	if (door_args(r, req_query(r, "performance"), door, &id))
		door_page(r, id, door, BO_OK, NULL, NULL);
}

void
page_door_checkin(struct req *r)
{
	const char *door = req_form(r, "door"), *typed = req_form(r, "code");
	struct checkin c;
	enum bo_status s;
	int64_t id;

	if (!door_args(r, req_form(r, "performance"), door, &id))
		return;
	s = checkin_admit(r->db, &r->arena, typed, id, door,
	    r->session.user_id, r->now, &c);
	door_page(r, id, door, s, &c, typed != NULL ? typed : "");
}
