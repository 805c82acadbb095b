/*
 * page_queue.c — the waiting queue of a concert (the gate in front of
 * everything that sells is ui_queue_gate, ui_shared.c).
 *
 * POST /concerts/{id}/queue        csrf; login  → join (or keep your place),
 *                                                 303 to the waiting room
 * GET  /concerts/{id}/queue        login        → the waiting room: the
 *                                                 pre-queue countdown, or
 *                                                 the number and place;
 *                                                 303 to the dates once
 *                                                 called (coming in claims
 *                                                 the turn)
 * GET  /concerts/{id}/queue/state.json          → the line's public state,
 *                                                 the same for everyone
 *                                                 (QueueState), cached by
 *                                                 nginx for a second
 * GET  /concerts/{id}/queue.json[?token=T]      → the queue ticket, the same
 *                                                 object as the API's
 *                                                 (QueueTicket); login
 * GET  /concerts/{id}/queue/leave  login        → the confirmation: what
 *                                                 leaving gives up, naming
 *                                                 the seats held unpaid it
 *                                                 would release
 * POST /concerts/{id}/queue/leave  csrf[, confirm]; login → give up the
 *                                                 place or turn, and release
 *                                                 the buyer's unpaid holds of
 *                                                 the concert (one
 *                                                 transaction). Without
 *                                                 confirm while seats are
 *                                                 held unpaid: 303 to the
 *                                                 confirmation, nothing
 *                                                 changed (review 10 item 1:
 *                                                 one tap released them)
 *
 * The waiting room works without JavaScript (a meta refresh inside
 * <noscript>, every 5 s at the most often, rendered from the ticket and
 * the worker's copy of the public state: no write while waiting) and with
 * it (app.js polls state.json and computes the place from the signed
 * number: waiting costs the workers nothing).
 */
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "catalog.h"
#include "hold.h"
#include "json.h"
#include "outcome.h"
#include "pages.h"
#include "queue.h"
#include "ui_shared.h"
#include "view.h"

#define NOJS_REFRESH_MIN 5   /* seconds: the page without JS reloads no faster */

/* Why the line takes no join now (the caller had BO_CONFLICT). */
static struct html
why_not_joinable(struct req *r, const struct concert *c)
{
	struct queue_public p;

	if (worker_cache_queue_state(r, c->id, &p) == BO_OK &&
	    p.state == QL_PREQUEUE)
		return VIEW_HTMLF(r, tr(r, "Tickets for %1$s are not on "
		    "sale yet. The sale opens %2$s; the queue opens %3$s, and "
		    "everyone who joins before the sale opens gets a place drawn "
		    "at random then."), view_text(r, c->title),
		    view_datetime(r, p.opens_at),
		    view_datetime(r, p.prequeue_opens));
	return VIEW_HTMLF(r, tr(r, "Tickets for %s are not on sale: "
	    "no date ahead has an open sale."), view_text(r, c->title));
}

void
page_queue_join(struct req *r)
{
	struct performance *perfs;
	struct queue_view v;
	struct concert c;
	enum bo_status s;
	size_t n;

	s = catalog_concert(r->db, &r->arena, r->id, r->now, &c, &perfs, &n);
	if (s == BO_OK)
		s = queue_join(r->db, r->id, r->session.user_id, r->now,
		    req_settings(r), &v);
	if (s == BO_CONFLICT) {
		page_error_html(r, HTTP_409, why_not_joinable(r, &c), NULL, NULL);
		return;
	}
	if (s != BO_OK) {
		page_outcome(r, &JOIN_OUTCOMES, s);
		return;
	}
	req_redirect(r, arena_printf(&r->arena, v.state == Q_ACTIVE ?
	    "/concerts/%lld#turn" : "/concerts/%lld/queue", (long long)r->id));
}

/* "about 3 minutes", "at most 12 minutes", or "not known yet"
 * (queue_eta: an estimate from how fast the line moves, or the bound
 * from how long a turn lasts). app.js's eta() says the same. */
static const char *
eta_words(struct req *r, struct queue_eta e)
{
	int64_t m = (e.seconds + 59) / 60;

	switch (e.kind) {
	case QE_ABOUT:
		if (e.seconds < 60)
			return tr(r, "under a minute");
		if (m <= 1)
			return tr(r, "about 1 minute");
		if (e.seconds < 3600)
			return arena_printf(&r->arena, tr(r, "about %lld minutes"),
			    (long long)m);
		return arena_printf(&r->arena, tr(r, "about %1$lld h %2$02lld min"),
		    (long long)e.seconds / 3600, (long long)(e.seconds % 3600) / 60);
	case QE_AT_MOST:
		if (m <= 1)
			return tr(r, "at most 1 minute");
		if (e.seconds < 3600)
			return arena_printf(&r->arena, tr(r, "at most %lld minutes"),
			    (long long)m);
		return arena_printf(&r->arena, tr(r, "at most %1$lld h %2$02lld min"),
		    (long long)m / 60, (long long)m % 60);
	default:
		return tr(r, "not known yet: nobody has been let in so far");
	}
}

/* When the buyer should be called, as a clock time in the venue's zone
 * (HTML: the time is view.c's); empty when not known. */
static struct html
call_words(struct req *r, struct queue_eta e)
{
	switch (e.kind) {
	case QE_ABOUT:
		return VIEW_HTMLF(r, tr(r, "You are expected to be "
		    "called around %s."), view_time(r, r->now + e.seconds));
	case QE_AT_MOST:
		return VIEW_HTMLF(r, tr(r, "You are expected to be "
		    "called by %s at the latest."), view_time(r, r->now +
		    e.seconds));
	default:
		return view_text(r, "");
	}
}

/* "4 min 05 s" until the opening. */
static const char *
countdown_words(struct req *r, int64_t left)
{
	if (left < 0)
		left = 0;
	if (left >= 3600)
		return arena_printf(&r->arena, tr(r, "%1$lld h %2$02lld min"),
		    (long long)left / 3600, (long long)(left % 3600) / 60);
	return arena_printf(&r->arena, tr(r, "%1$lld min %2$02lld s"),
	    (long long)left / 60,
	    (long long)left % 60);
}

void
page_queue(struct req *r)
{
	const struct settings *set = req_settings(r);
	struct performance *perfs;
	struct queue_public line;
	struct queue_view v;
	struct concert c;
	struct tdict *d;
	struct queue_eta eta;
	enum bo_status s;
	int64_t ahead;
	size_t n;

	s = catalog_concert(r->db, &r->arena, r->id, r->now, &c, &perfs, &n);
	if (s == BO_OK)
		s = queue_status(r->db, r->id, r->session.user_id, NULL, r->now,
		    set, &v);
	if (s == BO_OK)
		s = worker_cache_queue_state(r, r->id, &line);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	if (v.state == Q_ACTIVE || v.state == Q_CALLED) {
		view_redirect(r, arena_printf(&r->arena, "/concerts/%lld#turn",
		    (long long)r->id), NOTICE_ADMITTED);
		return;
	}
	d = view_page(r, TMPL_QUEUE, arena_printf(&r->arena, tr(r, "Queue · %s"),
	    c.title));
	tdict_int(d, "concert_id", c.id);
	tdict_str(d, "concert_title", c.title);
	tdict_str(d, "artist", c.artist);
	/* "1,000 buyers shop": grouped as every number a page shows. */
	tdict_str(d, "capacity_words", arena_printf(&r->arena, trn(r,
	    "%s buyer shops", "%s buyers shop", set->queue_capacity),
	    view_count(r, set->queue_capacity)));
	tdict_int(d, "active_minutes", set->active_ttl / 60);
	tdict_int(d, "claim_minutes", (set->claim_seconds + 59) / 60);
	if (v.state == Q_PREQUEUE || v.state == Q_WAITING) {
		tdict_bool(d, "in_line", 1);
		/* Its leave link counts the seats leaving would release. */
		ui_unpaid_holds(r, d, c.id, 0);
		view_set(d, "joined", view_time(r, v.joined_at));
		tdict_int(d, "now_epoch", r->now);
		/* For app.js's clock times: the venue's zone, as the page's. */
		tdict_str(d, "zone", set->timezone);
		tdict_str(d, "zone_abbr", view_zone_abbr(r));
		tdict_int(d, "refresh", v.poll_after_ms / 1000 < NOJS_REFRESH_MIN ?
		    NOJS_REFRESH_MIN : v.poll_after_ms / 1000);
	}
	if (v.state == Q_PREQUEUE) {
		tdict_bool(d, "prequeue", 1);
		view_set(d, "opens", view_datetime(r, v.opens_at));
		tdict_int(d, "opens_epoch", v.opens_at);
		tdict_str(d, "countdown", countdown_words(r, v.opens_at - r->now));
	} else if (v.state == Q_WAITING) {
		/* The place from the number and the worker's copy of the
		 * public state (a second old at most: it can only say more
		 * ahead than there are, never fewer). */
		ahead = v.place - (line.serving < v.serving ? line.serving :
		    v.serving) - 1;
		if (ahead < 0)
			ahead = 0;
		tdict_bool(d, "waiting", 1);
		tdict_int(d, "number", v.place);
		tdict_int(d, "serving", line.serving < v.serving ? line.serving :
		    v.serving);
		tdict_int(d, "position", ahead + 1);
		tdict_int(d, "ahead", ahead);
		tdict_bool(d, "first", ahead == 0);
		eta = queue_eta(&line, ahead);
		tdict_str(d, "eta", eta_words(r, eta));
		view_set(d, "call", call_words(r, eta));
		tdict_int(d, "poll_after_ms", queue_poll_after_ms(ahead));
	} else {
		tdict_bool(d, "not_waiting", 1);
		tdict_bool(d, "done", v.state == Q_DONE);
		tdict_bool(d, "expired", v.state == Q_EXPIRED);
	}
	view_render(r, TMPL_QUEUE, d);
}

void
page_queue_state(struct req *r)
{
	struct queue_public p;
	enum bo_status s = worker_cache_queue_state(r, r->id, &p);

	if (s != BO_OK) {
		page_outcome(r, &JOIN_OUTCOMES, s); /* JSON: r->json */
		return;
	}
	json_begin(r, HTTP_200);
	/* The same for every buyer: nginx keeps it for a second
	 * (nginx/queue-state.conf), so however many poll, a worker renders
	 * it about once a second per concert. */
	req_header(r, "Cache-Control", "public, max-age=1");
	ui_queue_state_json(r->body, &p);
}

void
page_queue_json(struct req *r)
{
	struct queue_view v;
	enum bo_status s;

	s = queue_status(r->db, r->id, r->session.user_id, req_query(r, "token"),
	    r->now, req_settings(r), &v);
	if (s != BO_OK) {
		page_outcome(r, &TICKET_OUTCOMES, s); /* JSON: r->json */
		return;
	}
	v.concert_id = r->id; /* also without a ticket */
	ui_queue_ticket_send(r, HTTP_200, &v);
}

void
page_queue_leave_form(struct req *r)
{
	struct performance *perfs;
	struct concert c;
	struct tdict *d;
	enum bo_status s;
	size_t n;

	s = catalog_concert(r->db, &r->arena, r->id, r->now, &c, &perfs, &n);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	d = view_page(r, TMPL_LEAVE, N_("Leave the queue"));
	tdict_int(d, "concert_id", c.id);
	tdict_str(d, "concert_title", c.title);
	ui_unpaid_holds(r, d, c.id, 1);
	view_render(r, TMPL_LEAVE, d);
}

void
page_queue_leave(struct req *r)
{
	struct awaiting_seat *held;
	size_t n = 0;
	enum bo_status s;
	const char *confirm = req_form(r, "confirm");

	/* Seats held unpaid are released only when the buyer saw them
	 * named (the confirmation's form says confirm=1). */
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		s = holds_awaiting(r->db, &r->arena, r->session.user_id,
		    r->id, r->now, &held, &n);
		if (s != BO_OK) {
			page_status(r, s);
			return;
		}
		if (n > 0) {
			req_redirect(r, arena_printf(&r->arena,
			    "/concerts/%lld/queue/leave", (long long)r->id));
			return;
		}
	}
	s = queue_leave(r->db, r->id, r->session.user_id, r->now,
	    req_settings(r));

	if (s != BO_OK) {
		page_outcome(r, &LEAVE_OUTCOMES, s);
		return;
	}
	view_redirect(r, arena_printf(&r->arena, "/concerts/%lld",
	    (long long)r->id), NOTICE_LEFT);
}
