/*
 * api_queue.c — the waiting queue through the JSON API (seed §4.1, §4.6).
 *
 * POST /api/v1/tokens        {"concertId"} → 201 the queue token and the
 *                            buyer's place (the same token when joined
 *                            before); 404 unknown concert; 409 not on sale
 * GET  /api/v1/queue/status  X-Queue-Token → the place, wait, next poll
 *
 * Both need a bearer token. The queue token is bound to the account and
 * the concert: anyone else's token is a 403.
 */
#include "api.h"
#include "catalog.h"
#include "pages.h"
#include "queue.h"

json_t *
api_queue_json(const struct queue_view *v, int64_t now)
{
	json_t *o = json_pack("{s:s, s:I, s:s, s:I}", "token", v->token,
	    "concertId", (json_int_t)v->concert_id, "state",
	    queue_state_name(v->state), "pollAfterMs", (json_int_t)v->poll_after_ms);

	json_object_set_new(o, "position", v->state == Q_WAITING ?
	    json_integer(v->ahead + 1) : json_null());
	json_object_set_new(o, "ahead", v->state == Q_WAITING ?
	    json_integer(v->ahead) : json_null());
	json_object_set_new(o, "etaSeconds", v->state == Q_WAITING &&
	    v->eta_seconds >= 0 ? json_integer(v->eta_seconds) : json_null());
	json_object_set_new(o, "activeUntil", v->state == Q_ACTIVE ?
	    json_integer(v->active_until) : json_null());
	/* seed §4.1: the time left in the buyer's turn */
	json_object_set_new(o, "remainingSeconds", v->state == Q_ACTIVE ?
	    json_integer(v->active_until - now) : json_null());
	return o;
}

void
api_token_create(struct req *r)
{
	struct performance *perfs;
	struct concert c;
	struct queue_view v;
	json_int_t concert = 0;
	enum bo_status s;
	int open = 0;
	json_t *body;
	size_t n;

	if ((body = api_body(r)) == NULL)
		return;
	if (!api_unpack(r, body, "{s:I}", "concertId", &concert)) {
		json_decref(body);
		return;
	}
	json_decref(body);
	s = concert > 0 ? catalog_concert(r->db, &r->arena, concert, r->now, &c,
	    &perfs, &n) : BO_NOT_FOUND;
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	for (size_t i = 0; i < n; i++)
		open |= performance_sale_state(&perfs[i], r->now) == SALE_OPEN;
	if (!open) {
		api_error(r, 409, "not_on_sale", "No date of this concert is on sale now.");
		return;
	}
	s = queue_join(r->db, concert, r->session.user_id, r->now, req_settings(r), &v);
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	api_send(r, 201, api_queue_json(&v, r->now));
}

void
api_queue_status(struct req *r)
{
	const char *token = api_queue_token(r);
	struct queue_view v;
	enum bo_status s;

	if (token == NULL)
		return;
	s = queue_status(r->db, 0, r->session.user_id, token, r->now,
	    req_settings(r), &v);
	if (s == BO_FORBIDDEN) {
		api_error(r, 403, "bad_token", "That queue token is not yours.");
		return;
	}
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	api_send(r, 200, api_queue_json(&v, r->now));
}

int
api_gate(struct req *r, int64_t concert_id)
{
	const char *token = api_queue_token(r);
	struct queue_view v;
	enum bo_status s;

	if (token == NULL)
		return 0;
	s = queue_status(r->db, concert_id, r->session.user_id, token, r->now,
	    req_settings(r), &v);
	if (s == BO_FORBIDDEN) {
		api_error(r, 403, "bad_token", "That queue token is not yours for "
		    "this concert.");
		return 0;
	}
	if (s != BO_OK) {
		api_status(r, s);
		return 0;
	}
	if (v.state != Q_ACTIVE) {
		api_error(r, 403, "not_admitted", v.state == Q_WAITING ?
		    "You are still waiting in the queue." :
		    "Your turn is over or has not begun: join the queue.");
		return 0;
	}
	return 1;
}
