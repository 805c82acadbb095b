/*
 * api_queue.c — the waiting queue through the JSON API.
 *
 * POST /api/v1/tokens        {"concertId"} → 201 the queue token (signed,
 *                            carrying the buyer's number) and the place
 *                            (the same ticket when joined before); 404
 *                            unknown concert; 409 when the queue takes
 *                            no joins (before the pre-queue, after the
 *                            last sale)
 * GET  /api/v1/queue/status  X-Queue-Token → the place, wait, next poll;
 *                            a called buyer's status claims the turn
 *
 * The ticket is written by hand (ui_queue_ticket_send, ui_shared.c): the
 * API's status and the waiting room's poll (page_queue.c) are the busiest
 * JSON there is, and both answer this one object, QueueTicket in
 * openapi.json. The gate before the dates and seats is api_gate (api.c).
 *
 * Both need a bearer token. The queue token is bound to the account and
 * the concert: anyone else's token is a 403.
 */
#include "api.h"
#include "json.h"
#include "queue.h"
#include "ui_shared.h"

void
api_token_create(struct req *r)
{
	struct queue_view v;
	json_int_t concert = 0;
	enum bo_status s;
	json_t *body;

	if ((body = api_body(r)) == NULL)
		return;
	if (!api_unpack(r, body, "{s:I}", "concertId", &concert)) {
		json_decref(body);
		return;
	}
	json_decref(body);
	s = concert > 0 ? queue_join(r->db, concert, r->session.user_id, r->now,
	    req_settings(r), &v) : BO_NOT_FOUND;
	if (s != BO_OK) {
		api_outcome(r, &JOIN_OUTCOMES, s);
		return;
	}
	ui_queue_ticket_send(r, HTTP_201, &v);
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
	ui_queue_ticket_send(r, HTTP_200, &v);
}
