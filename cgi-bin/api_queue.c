/*
 * api_queue.c — the waiting queue through the JSON API (seed §4.1, §4.6).
 *
 * POST /api/v1/tokens        {"concertId"} → 201 the queue token and the
 *                            buyer's place (the same token when joined
 *                            before); 404 unknown concert; 409 not on sale
 * GET  /api/v1/queue/status  X-Queue-Token → the place, wait, next poll
 *
 * The ticket is written by hand (api_queue_write): the API's status and
 * the waiting room's poll (page_queue.c) are the busiest JSON there is,
 * and both answer this one object, QueueTicket in openapi.json.
 *
 * Both need a bearer token. The queue token is bound to the account and
 * the concert: anyone else's token is a 403.
 */
#include "api.h"
#include "catalog.h"
#include "json.h"
#include "pages.h"
#include "queue.h"

void
api_queue_write(struct buf *b, const struct queue_view *v, int64_t now)
{
	int waiting = v->state == Q_WAITING, active = v->state == Q_ACTIVE;

	buf_puts(b, "{\"token\":");
	json_str(b, v->token);
	buf_puts(b, ",\"concertId\":");
	buf_int(b, v->concert_id);
	buf_puts(b, ",\"state\":");
	json_str(b, queue_state_name(v->state));
	buf_puts(b, ",\"pollAfterMs\":");
	buf_int(b, v->poll_after_ms);
	if (waiting) {
		buf_puts(b, ",\"position\":");
		buf_int(b, v->ahead + 1);
		buf_puts(b, ",\"ahead\":");
		buf_int(b, v->ahead);
	} else {
		buf_puts(b, ",\"position\":null,\"ahead\":null");
	}
	buf_puts(b, ",\"etaSeconds\":");
	if (waiting && v->eta_seconds >= 0)
		buf_int(b, v->eta_seconds);
	else
		buf_puts(b, "null");
	if (active) {
		buf_puts(b, ",\"activeUntil\":");
		buf_int(b, v->active_until);
		/* seed §4.1: the time left in the buyer's turn */
		buf_puts(b, ",\"remainingSeconds\":");
		buf_int(b, v->active_until - now);
	} else {
		buf_puts(b, ",\"activeUntil\":null,\"remainingSeconds\":null");
	}
	buf_puts(b, "}\n");
}

/* Answers the ticket v with status. */
static void
send_ticket(struct req *r, enum http_status status, const struct queue_view *v)
{
	json_begin(r, status);
	req_header(r, "Cache-Control", "no-store");
	api_queue_write(r->body, v, r->now);
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
		api_outcome(r, &JOIN_OUTCOMES, s);
		return;
	}
	for (size_t i = 0; i < n; i++)
		open |= performance_sale_state(&perfs[i], r->now) == SALE_OPEN;
	if (!open) {
		api_error(r, HTTP_409, "not_on_sale", "No date of this concert is on sale now.");
		return;
	}
	s = queue_join(r->db, concert, r->session.user_id, r->now, req_settings(r), &v);
	if (s != BO_OK) {
		api_outcome(r, &JOIN_OUTCOMES, s);
		return;
	}
	send_ticket(r, HTTP_201, &v);
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
	if (s != BO_OK) {
		api_outcome(r, &TICKET_OUTCOMES, s);
		return;
	}
	send_ticket(r, HTTP_200, &v);
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
	if (s != BO_OK) {
		api_outcome(r, &TICKET_OUTCOMES, s);
		return 0;
	}
	if (v.state != Q_ACTIVE) {
		api_error(r, HTTP_403, "not_admitted", v.state == Q_WAITING ?
		    "You are still waiting in the queue." :
		    "Your turn is over or has not begun: join the queue.");
		return 0;
	}
	return 1;
}
