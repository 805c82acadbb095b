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
 * POST /concerts/{id}/queue/leave  csrf; login  → "I am done": give up the
 *                                                 place or turn, and release
 *                                                 the buyer's unpaid holds of
 *                                                 the concert (one transaction)
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
#include "json.h"
#include "outcome.h"
#include "pages.h"
#include "queue.h"
#include "ui_shared.h"
#include "view.h"

#define NOJS_REFRESH_MIN 5   /* seconds: the page without JS reloads no faster */

/* Why the line takes no join now (the caller had BO_CONFLICT). */
static const char *
why_not_joinable(struct req *r, const struct concert *c)
{
	struct queue_public p;

	if (worker_cache_queue_state(r, c->id, &p) == BO_OK &&
	    p.state == QL_PREQUEUE)
		return arena_printf(&r->arena, tr(r, "Tickets for %1$s are not on "
		    "sale yet. The sale opens %2$s; the queue opens %3$s, and "
		    "everyone who joins before the sale opens gets a place drawn "
		    "at random then."), c->title, view_datetime(r, p.opens_at),
		    view_datetime(r, p.prequeue_opens));
	return arena_printf(&r->arena, tr(r, "Tickets for %s are not on sale: "
	    "no date ahead has an open sale."), c->title);
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
		page_error(r, HTTP_409, why_not_joinable(r, &c));
		return;
	}
	if (s != BO_OK) {
		page_outcome(r, &JOIN_OUTCOMES, s);
		return;
	}
	req_redirect(r, arena_printf(&r->arena, v.state == Q_ACTIVE ?
	    "/concerts/%lld#turn" : "/concerts/%lld/queue", (long long)r->id));
}

/* "about 3 minutes", "under a minute", or "unknown". */
static const char *
eta_words(struct req *r, int64_t eta)
{
	if (eta < 0)
		return tr(r, "not known yet: too few buyers let in so far to tell");
	if (eta < 60)
		return tr(r, "under a minute");
	if (eta <= 60)
		return tr(r, "about 1 minute");
	if (eta < 3600)
		return arena_printf(&r->arena, tr(r, "about %lld minutes"),
		    (long long)(eta + 59) / 60);
	return arena_printf(&r->arena, tr(r, "about %1$lld h %2$02lld min"),
	    (long long)eta / 3600, (long long)(eta % 3600) / 60);
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
		tdict_str(d, "joined", view_time(r, v.joined_at));
		tdict_int(d, "now_epoch", r->now);
		tdict_int(d, "refresh", v.poll_after_ms / 1000 < NOJS_REFRESH_MIN ?
		    NOJS_REFRESH_MIN : v.poll_after_ms / 1000);
	}
	if (v.state == Q_PREQUEUE) {
		tdict_bool(d, "prequeue", 1);
		tdict_str(d, "opens", view_datetime(r, v.opens_at));
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
		tdict_str(d, "eta", eta_words(r, queue_eta_seconds(&line, ahead)));
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
page_queue_leave(struct req *r)
{
	enum bo_status s = queue_leave(r->db, r->id, r->session.user_id, r->now,
	    req_settings(r));

	if (s != BO_OK) {
		page_outcome(r, &LEAVE_OUTCOMES, s);
		return;
	}
	view_redirect(r, arena_printf(&r->arena, "/concerts/%lld",
	    (long long)r->id), NOTICE_LEFT);
}
