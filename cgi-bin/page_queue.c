/*
 * page_queue.c — the waiting queue of a concert (the gate in front of
 * everything that sells is ui_queue_gate, ui_shared.c).
 *
 * POST /concerts/{id}/queue        csrf; login  → join (or keep your place),
 *                                                 303 to the waiting room
 * GET  /concerts/{id}/queue        login        → the waiting room: place,
 *                                                 wait, refresh; 303 to the
 *                                                 dates once admitted
 * GET  /concerts/{id}/queue.json[?token=T]      → the queue ticket, the same
 *                                                 object as the API's
 *                                                 (QueueTicket); login
 * POST /concerts/{id}/queue/leave  csrf; login  → "I am done": give up the
 *                                                 place or turn, and release
 *                                                 the buyer's unpaid holds of
 *                                                 the concert (one transaction)
 *
 * The waiting room works without JavaScript (a meta refresh inside
 * <noscript>) and with it (app.js polls the JSON and moves on by itself).
 */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "json.h"
#include "outcome.h"
#include "pages.h"
#include "queue.h"
#include "ui_shared.h"
#include "view.h"

/* Why a concert cannot be queued for now, or NULL when it can; *s is
 * not BO_OK when the concert could not be read (the caller answers it). */
static const char *
not_on_sale(struct req *r, int64_t concert_id, enum bo_status *s)
{
	struct performance *perfs;
	struct concert c;
	int64_t next_open = 0;
	size_t n;

	*s = catalog_concert(r->db, &r->arena, concert_id, r->now, &c, &perfs, &n);
	if (*s != BO_OK)
		return "";
	if (catalog_concert_on_sale(perfs, n, r->now, &next_open))
		return NULL;
	if (next_open != 0)
		return arena_printf(&r->arena, "Tickets for %s are not on sale yet. "
		    "The sale opens %s; the queue opens with it.", c.title,
		    view_datetime(r, next_open));
	return arena_printf(&r->arena, "Tickets for %s are not on sale: no date "
	    "ahead has an open sale.", c.title);
}

void
page_queue_join(struct req *r)
{
	struct queue_view v;
	const char *why;
	enum bo_status s;

	if ((why = not_on_sale(r, r->id, &s)) != NULL) {
		if (s != BO_OK) /* no such concert, or storage trouble */
			page_outcome(r, &JOIN_OUTCOMES, s);
		else
			page_error(r, HTTP_409, why);
		return;
	}
	s = queue_join(r->db, r->id, r->session.user_id, r->now, req_settings(r),
	    worker_cache(r)->queue_lines, &v);
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
		return "not known yet: nobody has been let in so far";
	if (eta < 60)
		return "under a minute";
	if (eta < 3600)
		return arena_printf(&r->arena, "about %lld minute%s",
		    (long long)(eta + 59) / 60, eta >= 120 ? "s" : "");
	return arena_printf(&r->arena, "about %lld h %02lld min",
	    (long long)eta / 3600, (long long)(eta % 3600) / 60);
}

void
page_queue(struct req *r)
{
	struct concert c;
	struct performance *perfs;
	struct queue_view v;
	struct tdict *d;
	enum bo_status s;
	size_t n;

	s = catalog_concert(r->db, &r->arena, r->id, r->now, &c, &perfs, &n);
	if (s == BO_OK)
		s = queue_status(r->db, r->id, r->session.user_id, NULL, r->now,
		    req_settings(r), worker_cache(r)->queue_lines, &v);
	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	if (v.state == Q_ACTIVE) {
		view_redirect(r, arena_printf(&r->arena, "/concerts/%lld#turn",
		    (long long)r->id), NOTICE_ADMITTED);
		return;
	}
	d = view_page(r, TMPL_QUEUE, arena_printf(&r->arena, "Queue · %s", c.title));
	tdict_int(d, "concert_id", c.id);
	tdict_str(d, "concert_title", c.title);
	tdict_str(d, "artist", c.artist);
	if (v.state == Q_WAITING) {
		tdict_bool(d, "waiting", 1);
		tdict_int(d, "position", v.ahead + 1);
		tdict_int(d, "ahead", v.ahead);
		tdict_bool(d, "first", v.ahead == 0);
		tdict_str(d, "eta", eta_words(r, v.eta_seconds));
		tdict_str(d, "joined", view_time(r, v.joined_at));
		tdict_str(d, "token", v.token);
		tdict_int(d, "poll_after_ms", v.poll_after_ms);
		tdict_int(d, "refresh", (v.poll_after_ms + 999) / 1000);
		tdict_str(d, "capacity_words", req_settings(r)->queue_capacity == 1 ?
		    "1 buyer shops" : arena_printf(&r->arena, "%lld buyers shop",
		    (long long)req_settings(r)->queue_capacity));
		tdict_int(d, "active_minutes", req_settings(r)->active_ttl / 60);
	} else {
		tdict_bool(d, "not_waiting", 1);
		tdict_bool(d, "done", v.state == Q_DONE);
		tdict_bool(d, "expired", v.state == Q_EXPIRED);
	}
	view_render(r, TMPL_QUEUE, d);
}

void
page_queue_json(struct req *r)
{
	struct queue_view v;
	enum bo_status s;

	s = queue_status(r->db, r->id, r->session.user_id, req_query(r, "token"),
	    r->now, req_settings(r), worker_cache(r)->queue_lines, &v);
	if (s != BO_OK) {
		page_outcome(r, &TICKET_OUTCOMES, s); /* JSON: r->json */
		return;
	}
	json_begin(r, HTTP_200);
	v.concert_id = r->id; /* also without a ticket */
	ui_queue_ticket_json(r->body, &v, r->now);
}

void
page_queue_leave(struct req *r)
{
	enum bo_status s = queue_leave(r->db, r->id, r->session.user_id, r->now);

	if (s != BO_OK) {
		page_outcome(r, &LEAVE_OUTCOMES, s);
		return;
	}
	view_redirect(r, arena_printf(&r->arena, "/concerts/%lld",
	    (long long)r->id), NOTICE_LEFT);
}
