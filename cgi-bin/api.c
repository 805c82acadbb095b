/*
 * api.c — JSON in and out for /api/v1 (see api.h).
 */
#include "api.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "queue.h"
#include "reqlog.h"

void
api_error(struct req *r, enum http_status status, const char *code,
    const char *msg)
{
	json_error(r, status, code, msg);
}

void
api_outcome_with(struct req *r, const struct outcomes *op, enum bo_status s,
    const char *key, json_t *value)
{
	const struct outcome *o = outcome_of(op, s);
	enum http_status st = outcome_api_status(op, s);

	if (st == HTTP_503)
		req_header(r, "Retry-After", "2");
	api_send(r, st, json_pack("{s:{s:s, s:s, s:o}}", "error", "code", o->code,
	    "message", o->api != NULL ? o->api : o->page, key, value));
}

void
api_send(struct req *r, enum http_status status, json_t *obj)
{
	char *text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	if (text == NULL) {
		/* json_pack() refused a value (a "s" given text that is not
		 * UTF-8: a bug, json.h says to use json_text()) or memory ran
		 * out. Either way a logged 500, never a dead worker. */
		log_msg(r, LOG_ERROR, "the answer could not be written as JSON");
		api_error(r, HTTP_500, "internal_error", "The answer could not be "
		    "written; the error is logged.");
		return;
	}
	json_begin(r, status);
	req_header(r, "Cache-Control", "no-store");
	buf_puts(r->body, text);
	buf_putc(r->body, '\n');
	free(text);
}

/* Deeper nesting than any of our bodies is refused before parsing. */
static int
too_deep(const char *s, size_t len)
{
	int depth = 0, in_string = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > API_MAX_DEPTH)
				return 1;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

json_t *
api_body(struct req *r)
{
	json_error_t err;
	json_t *obj;

	if (strncasecmp(r->content_type, "application/json", 16) != 0 ||
	    (r->content_type[16] != '\0' && r->content_type[16] != ';' &&
	    r->content_type[16] != ' ')) {
		api_error(r, HTTP_415, "unsupported_media_type",
		    "Send the body as application/json.");
		return NULL;
	}
	if (r->raw_len == 0) {
		api_error(r, HTTP_400, "invalid_json", "The request needs a JSON body.");
		return NULL;
	}
	if (memchr(r->raw, '\0', r->raw_len) != NULL || too_deep(r->raw, r->raw_len)) {
		api_error(r, HTTP_400, "invalid_json", "The JSON body is nested too "
		    "deeply or contains a NUL byte.");
		return NULL;
	}
	obj = json_loadb(r->raw, r->raw_len, JSON_REJECT_DUPLICATES, &err);
	if (obj == NULL) {
		char msg[256];

		snprintf(msg, sizeof msg, "The body is not valid JSON: %s "
		    "(at character %d).", err.text, err.position);
		api_error(r, HTTP_400, "invalid_json", msg);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		api_error(r, HTTP_400, "invalid_json", "The body must be a JSON object.");
		return NULL;
	}
	return obj;
}

int
api_unpack(struct req *r, json_t *obj, const char *fmt, ...)
{
	json_error_t err;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = json_vunpack_ex(obj, &err, JSON_STRICT, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		char msg[256];

		snprintf(msg, sizeof msg, "The body does not fit: %s.", err.text);
		api_error(r, HTTP_422, "invalid_field", msg);
		return 0;
	}
	return 1;
}

const char *
api_queue_token(struct req *r)
{
	if (r->queue_token_hdr == NULL || *r->queue_token_hdr == '\0') {
		api_error(r, HTTP_403, "queue_token_required", "Send your queue token "
		    "in the X-Queue-Token header (POST /api/v1/tokens gives one).");
		return NULL;
	}
	return r->queue_token_hdr;
}

int
api_idem_begin(struct req *r, struct idem *k, enum http_status status)
{
	unsigned char hash[32];
	enum bo_status s;

	if (r->idem_key == NULL) {
		idem_init(k, NULL, NULL, http_code(status));
		return 1;
	}
	if (!idem_key_valid(r->idem_key)) {
		api_error(r, HTTP_400, "invalid_idempotency_key", "An Idempotency-Key is "
		    "1 to 64 printable ASCII characters.");
		return 0;
	}
	/* Hashed here, outside any transaction. */
	idem_hash(req_method_name(r->method), r->path, r->raw ? r->raw : "",
	    r->raw_len, hash);
	idem_init(k, r->idem_key, hash, http_code(status));
	/* A plain read: a replay needs no write lock and passes no gate. */
	if ((s = idem_look(r->db, r->session.user_id, k)) != BO_OK) {
		api_status(r, s);
		return 0;
	}
	if (k->result == IDEM_NEW || k->result == IDEM_REPLAY)
		return 1;
	api_idem_answer(r, k); /* 422 */
	return 0;
}

int
api_idem_answer(struct req *r, const struct idem *k)
{
	switch (k->result) {
	case IDEM_NEW:
	case IDEM_REPLAY:
		return 1;
	case IDEM_MISMATCH:
		api_error(r, HTTP_422, "idempotency_key_reused", "This Idempotency-Key "
		    "was used for a different request.");
		return 0;
	case IDEM_IN_FLIGHT:
		req_header(r, "Retry-After", "1");
		api_error(r, HTTP_409, "request_in_flight", "A request with this "
		    "Idempotency-Key is being recorded just now; retry shortly.");
		return 0;
	}
	return 0;
}

void
api_idem_send(struct req *r, const struct idem *k, json_t *obj)
{
	/* core/ keeps the number; a number that is not one of ours cannot
	 * have been stored by us. */
	enum http_status s = http_from_code(k->result == IDEM_REPLAY ?
	    k->first_status : k->status);

	assert(s != HTTP__MAX);
	if (k->result == IDEM_REPLAY)
		req_header(r, "Idempotent-Replayed", "true");
	api_send(r, s, obj);
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
		api_error(r, HTTP_403, "not_admitted", v.state == Q_WAITING ||
		    v.state == Q_PREQUEUE ?
		    "You are still waiting in the queue." :
		    "Your turn is over or has not begun: join the queue.");
		return 0;
	}
	return 1;
}

int
api_keyset(struct req *r, struct keyset *k)
{
	const char *cursor = req_query(r, "cursor"), *limit = req_query(r, "limit");
	struct keyset want;

	/* Checked one by one, so that the answer names the one at fault. */
	if (!keyset_parse(NULL, limit, &want)) {
		api_error(r, HTTP_400, "invalid_limit", arena_printf(&r->arena,
		    "limit must be a whole number from 1 to %d (default %d).",
		    KEYSET_MAX, KEYSET_DEFAULT));
		return 0;
	}
	if (!keyset_parse(cursor, limit, &want)) {
		api_error(r, HTTP_400, "invalid_cursor", "cursor must be a "
		    "nextCursor this API answered; leave it out for the newest "
		    "page.");
		return 0;
	}
	*k = want;
	return 1;
}

json_t *
api_next_cursor(const struct keyset *k)
{
	char id[24];

	if (k->next == 0)
		return json_null();
	snprintf(id, sizeof id, "%lld", (long long)k->next);
	return json_string(id);
}
