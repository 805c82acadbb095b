/*
 * api_session.c — logging in and out through the JSON API.
 *
 * POST   /api/v1/sessions  {"email","password"} → 201 {"token","userId",
 *        "expiresAt"}; 401 invalid_credentials; 429 with Retry-After (the
 *        login throttle, core/login_throttle.h, shared with POST /login)
 * DELETE /api/v1/sessions  Authorization: Bearer → 204, the token is dead
 *
 * The token is a session like the browser's cookie, sent back as
 * "Authorization: Bearer TOKEN". A user id in a body is never trusted:
 * identity comes from the token only.
 */
#include <stdio.h>

#include "account.h"
#include "api.h"
#include "login_throttle.h"

void
api_session_create(struct req *r)
{
	const char *email = NULL, *password = NULL;
	struct session_new sn;
	int64_t retry = 0;
	enum bo_status s;
	json_t *body;
	char *copy;

	if ((body = api_body(r)) == NULL)
		return;
	if (!api_unpack(r, body, "{s:s, s:s}", "email", &email, "password",
	    &password)) {
		json_decref(body);
		return;
	}
	copy = arena_strdup(&r->arena, email);
	s = account_login(r->db, copy, password, r->remote_addr, r->now,
	    req_settings(r)->session_ttl, &sn, &retry);
	json_decref(body);
	if (s == BO_THROTTLED) { /* and when to try again */
		char after[24], wait[24], msg[160];

		snprintf(after, sizeof after, "%lld", (long long)retry);
		req_header(r, "Retry-After", after);
		login_wait_words(retry, wait, sizeof wait);
		snprintf(msg, sizeof msg, "%s Please try again in %s.",
		    outcome_of(&LOGIN_OUTCOMES, s)->page, wait);
		api_outcome_say(r, &LOGIN_OUTCOMES, s, msg);
	} else if (s != BO_OK) {
		api_outcome(r, &LOGIN_OUTCOMES, s);
	} else {
		api_send(r, HTTP_201, json_pack("{s:s, s:I, s:I}", "token", sn.token,
		    "userId", (json_int_t)sn.user_id, "expiresAt",
		    (json_int_t)(r->now + req_settings(r)->session_ttl)));
	}
}

void
api_session_delete(struct req *r)
{
	/* The router let us in: the header is "Bearer TOKEN". */
	enum bo_status s = session_destroy(r->db, r->authorization + 7);

	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	r->status = HTTP_204;
	r->content_type_out = "application/json";
	buf_reset(r->body);
}
