/*
 * api.h — what every /api/v1 endpoint shares: JSON bodies in (parsed by
 * jansson, strictly), JSON out, one error shape, Idempotency-Key and the
 * queue gate. Only the router calls an endpoint (api_*.c); what two
 * endpoints share is here (api.c), in outcome.h or in ui_shared.h.
 *
 * Errors are {"error":{"code":"…","message":"…"}} with the HTTP status.
 */
#ifndef BOXOFFICE_API_H
#define BOXOFFICE_API_H

#include <jansson.h>

#include "idempotency.h"
#include "keyset.h"
#include "outcome.h"
#include "req.h"

#define API_MAX_DEPTH 8 /* our bodies are flat objects */

/* Parses the body as one JSON object; on failure answers (400, 413, 415)
 * and returns NULL. The caller frees with json_decref(). */
json_t *api_body(struct req *r);
/* Unpacks obj by a jansson format; strict: a missing or wrongly typed
 * field, or an unknown one, answers 422 and returns 0. */
int api_unpack(struct req *r, json_t *obj, const char *fmt, ...);
/* Answers status with obj as the body (and decrefs it). A NULL obj (a
 * json_pack() that failed) answers a logged 500 instead. */
void api_send(struct req *r, enum http_status status, json_t *obj);
/* Answers s of op as api_outcome() does, with one more field in the
 * error object (key: value, which it takes; the seats that were taken). */
void api_outcome_with(struct req *r, const struct outcomes *op,
    enum bo_status s, const char *key, json_t *value);
/* Answers an error. */
void api_error(struct req *r, enum http_status status, const char *code,
    const char *msg);

/*
 * Idempotency-Key. The record is written by the core operation itself, in
 * its own transaction (core/idempotency.h); a handler does:
 *
 *	if (!api_idem_begin(r, &k, 201))   // 400 bad key, 422 reused: answered
 *		return;
 *	if (k.result == IDEM_NEW && !operation(r, &k))   // refusals: answered
 *		return;
 *	if (!api_idem_answer(r, &k))       // 422, 409 from inside: answered
 *		return;
 *	api_idem_send(r, &k, the resources of k.refs, read as they are now);
 *
 * api_idem_begin() fills k from the request (not keyed: k->key NULL;
 * status is what a new run answers) and looks the key up outside any
 * transaction, so that a replay takes no write lock and passes no gate:
 * k->result is then IDEM_REPLAY. api_idem_send() answers k's status (the
 * first answer's for a replay, with Idempotent-Replayed: true) with obj,
 * and decrefs it.
 */
int api_idem_begin(struct req *r, struct idem *k, enum http_status status);
int api_idem_answer(struct req *r, const struct idem *k);
void api_idem_send(struct req *r, const struct idem *k, json_t *obj);

/* The X-Queue-Token of the request, or answers 403 and returns NULL. */
const char *api_queue_token(struct req *r);

/* 1 when the request's X-Queue-Token is the buyer's ACTIVE ticket for the
 * concert; otherwise answers 403 (bad_token, not_admitted) and returns 0. */
int api_gate(struct req *r, int64_t concert_id);

/* A list's page from the query: `limit` (1..200, default 50) and
 * `cursor` (a nextCursor we answered; none: the newest page). 1 and *k
 * set, or a 400 (invalid_limit, invalid_cursor) answered and 0. */
int api_keyset(struct req *r, struct keyset *k);
/* The nextCursor of a page: the string to send back as cursor, or JSON
 * null on the last page. A new reference. */
json_t *api_next_cursor(const struct keyset *k);

/* The endpoints, one file per group (api_*.c). */
void api_session_create(struct req *r);
void api_session_delete(struct req *r);
void api_token_create(struct req *r);
void api_queue_status(struct req *r);
void api_concerts(struct req *r);
void api_performances(struct req *r);
void api_seats(struct req *r);
void api_reservation_create(struct req *r);
void api_reservation(struct req *r);
void api_payment_create(struct req *r);
void api_bookings(struct req *r);
void api_balance(struct req *r);
void api_charge(struct req *r);
void api_history(struct req *r);
void api_checkin_create(struct req *r);

#endif
