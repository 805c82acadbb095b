/*
 * api_checkin.c — the door's API, for scanner apps (staff; the router
 * checks the role before this runs).
 *
 * POST /api/v1/checkins   {"code", "performanceId"?, "door"?}
 *        → 200 {"seat":{…}, "performanceId", "checkedInAt", "door",
 *          "ticketCode"} the first time;
 *          409 already_checked_in, the error carrying firstCheckedInAt
 *          and door; 404 unknown_code; 410 refunded; 410
 *          performance_cancelled (the error carrying cancelledAt: a
 *          cancelled performance's ticket, refunded or not yet); 422
 *          other_performance (performanceId given and not the ticket's:
 *          the error carries the ticket's performanceId); 422
 *          malformed_code (a typo or not a code: answered without the
 *          database); 422 invalid_field (a door name that cannot be kept)
 *
 * The same operation as the door page (core/checkin.c), the same table
 * (CHECKIN_OUTCOMES, or CHECKIN_CANCELLED_OUTCOMES).
 */
#include "api.h"
#include "checkin.h"
#include "json.h"

/* The seat as the API shows it. */
static json_t *
seat_json(const struct checkin *c)
{
	return json_pack("{s:o, s:o, s:I}", "section", json_text(c->section),
	    "row", json_text(c->row), "number", (json_int_t)c->number);
}

/* A refusal of the table, with what a scanner app shows beside it. */
static void
refuse(struct req *r, enum bo_status s, const struct checkin *c)
{
	const struct outcomes *table = checkin_outcomes(c->cancelled_at);
	const struct outcome *o = outcome_of(table, s);
	json_t *e;

	if (s == BO_INVALID) {
		/* Which problem: a typo, a wrong length, a symbol. */
		api_outcome_say(r, table, s, ticket_code_message(c->problem));
		return;
	}
	if (s != BO_CONFLICT && s != BO_FORBIDDEN &&
	    !(s == BO_GONE && c->cancelled_at != 0)) {
		api_outcome(r, table, s);
		return;
	}
	e = json_pack("{s:s, s:s}", "code", o->code, "message",
	    o->api != NULL ? o->api : o->page);
	if (e != NULL && s == BO_CONFLICT) {
		json_object_set_new(e, "firstCheckedInAt", json_integer(c->at));
		json_object_set_new(e, "door", json_text(c->door));
	} else if (e != NULL && s == BO_GONE) {
		json_object_set_new(e, "cancelledAt",
		    json_integer(c->cancelled_at));
	} else if (e != NULL) {
		json_object_set_new(e, "performanceId",
		    json_integer(c->performance_id));
	}
	api_send(r, outcome_api_status(table, s), e != NULL ?
	    json_pack("{s:o}", "error", e) : NULL);
}

void
api_checkin_create(struct req *r)
{
	const char *code = NULL, *door = NULL;
	json_int_t perf = 0;
	struct checkin c;
	int bad_perf;
	enum bo_status s;
	json_t *body;

	if ((body = api_body(r)) == NULL)
		return;
	if (!api_unpack(r, body, "{s:s, s?I, s?s}", "code", &code,
	    "performanceId", &perf, "door", &door)) {
		json_decref(body);
		return;
	}
	/* Left out, performanceId is 0: any performance. Given, an id. The
	 * message names the field that is wrong. */
	bad_perf = json_object_get(body, "performanceId") != NULL && perf < 1;
	if (bad_perf || (door != NULL && !checkin_door_ok(door))) {
		json_decref(body);
		api_error(r, HTTP_422, "invalid_field", bad_perf ?
		    "performanceId is a performance's id (1 or more)." :
		    "door is a name of 1 to 40 characters, without control "
		    "characters.");
		return;
	}
	/* code and door belong to body: used before it is freed. */
	s = checkin_admit(r->db, &r->arena, code, perf, door,
	    r->session.user_id, r->now, &c);
	json_decref(body);
	if (s != BO_OK) {
		refuse(r, s, &c);
		return;
	}
	api_send(r, HTTP_200, json_pack("{s:o, s:I, s:I, s:o, s:s}",
	    "seat", seat_json(&c), "performanceId", (json_int_t)c.performance_id,
	    "checkedInAt", (json_int_t)c.at, "door", json_text(c.door),
	    "ticketCode", c.code));
}
