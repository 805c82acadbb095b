/*
 * test_outcome.c — the outcome tables (cgi-bin/outcome.c): every status
 * of every operation answers an error status with a code and words; a
 * status no table names (a new one added to core/status.h) fails here,
 * not on a buyer's screen; and every code an API call's table gives is
 * one static/openapi.json lists for that call and status.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "outcome.h"

static const struct outcomes *const tables[] = {
	&COMMON_OUTCOMES, &HOLD_OUTCOMES, &HOLD_GET_OUTCOMES, &PAY_OUTCOMES,
	&RELEASE_OUTCOMES, &CHARGE_OUTCOMES, &JOIN_OUTCOMES, &TICKET_OUTCOMES,
	&LEAVE_OUTCOMES, &SIGNUP_OUTCOMES, &LOGIN_OUTCOMES, &ORDER_OUTCOMES,
	&BEST_OUTCOMES, &ORDER_GET_OUTCOMES, &ORDER_RELEASE_OUTCOMES,
	&REFUND_OUTCOMES,
	&CANCEL_OUTCOMES,
};

static int
is_code(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* Words for people: a sentence. */
static int
is_sentence(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 10 && isupper((unsigned char)s[0]) &&
	    (s[n - 1] == '.' || s[n - 1] == '?');
}

static void
every_status_of_every_operation_is_whole(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		for (int s = BO_OK + 1; s < BO__MAX; s++) {
			const struct outcome *o = outcome_of(tables[t], (enum bo_status)s);
			enum http_status page = outcome_page_status(tables[t],
			    (enum bo_status)s);
			enum http_status api = outcome_api_status(tables[t],
			    (enum bo_status)s);

			if (!(http_code(page) >= 400 && http_code(api) >= 400 &&
			    is_code(o->code) && is_sentence(o->page) &&
			    (o->api == NULL || is_sentence(o->api))))
				fail_msg("%s, status %d: %d/%d \"%s\" \"%s\" \"%s\"",
				    tables[t]->operation, s, http_code(page),
				    http_code(api), o->code, o->page,
				    o->api ? o->api : "");
		}
	}
}

/* The common table names every status itself: a status added to
 * core/status.h without its row fails here. */
static void
the_common_table_names_every_status(void **state)
{
	(void)state;
	for (int s = BO_OK + 1; s < BO__MAX; s++)
		if (COMMON_OUTCOMES.of[s].status == HTTP_200)
			fail_msg("COMMON_OUTCOMES has no row for status %d", s);
	assert_int_equal(COMMON_OUTCOMES.of[BO_OK].status, HTTP_200);
}

/* An operation's own meaning wins over the common one; what it does not
 * name falls back. */
static void
an_operation_overrides_the_common_meaning(void **state)
{
	(void)state;
	assert_string_equal(outcome_of(&HOLD_OUTCOMES, BO_CONFLICT)->code,
	    "seat_taken");
	assert_string_equal(outcome_of(&SIGNUP_OUTCOMES, BO_CONFLICT)->code,
	    "email_taken");
	assert_string_equal(outcome_of(&CHARGE_OUTCOMES, BO_LIMIT)->code,
	    "limit_reached");
	assert_string_equal(outcome_of(&HOLD_OUTCOMES, BO_LIMIT)->code,
	    "hold_limit");
	assert_ptr_equal(outcome_of(&HOLD_OUTCOMES, BO_BUSY),
	    &COMMON_OUTCOMES.of[BO_BUSY]);
	assert_int_equal(outcome_page_status(&LOGIN_OUTCOMES, BO_INVALID),
	    HTTP_422);
	assert_int_equal(outcome_api_status(&LOGIN_OUTCOMES, BO_INVALID),
	    HTTP_401);
	assert_int_equal(outcome_api_status(&CHARGE_OUTCOMES, BO_KEY_REUSED),
	    HTTP_422);
}

/* The API calls and the tables they answer with (cgi-bin/api_*.c). (A
 * reservation or payment just made is read again with HOLD_GET_OUTCOMES:
 * the buyer's own hold, never another's, so not listed for them.) */
static const struct {
	const struct outcomes *op;
	const char *method, *path;
} uses[] = {
	{ &HOLD_OUTCOMES, "post", "/api/v1/reservations" },
	{ &ORDER_OUTCOMES, "post", "/api/v1/reservations" },
	{ &BEST_OUTCOMES, "post", "/api/v1/reservations" },
	{ &TICKET_OUTCOMES, "post", "/api/v1/reservations" },
	{ &HOLD_GET_OUTCOMES, "get", "/api/v1/reservations/{reservationId}" },
	{ &PAY_OUTCOMES, "post", "/api/v1/payments" },
	{ &CHARGE_OUTCOMES, "post", "/api/v1/balance/charge" },
	{ &JOIN_OUTCOMES, "post", "/api/v1/tokens" },
	{ &TICKET_OUTCOMES, "get", "/api/v1/queue/status" },
	{ &TICKET_OUTCOMES, "get", "/api/v1/concerts/{concertId}/performances" },
	{ &TICKET_OUTCOMES, "get", "/api/v1/performances/{performanceId}/seats" },
	{ &LOGIN_OUTCOMES, "post", "/api/v1/sessions" },
};

/* A "$ref": "#/components/…" followed to its object. */
static json_t *
deref(json_t *doc, json_t *o)
{
	const char *ref;

	while (o != NULL && (ref = json_string_value(json_object_get(o, "$ref")))
	    != NULL) {
		char path[256], *part, *save;

		assert_true(strncmp(ref, "#/", 2) == 0);
		snprintf(path, sizeof path, "%s", ref + 2);
		o = doc;
		for (part = strtok_r(path, "/", &save); part != NULL && o != NULL;
		    part = strtok_r(NULL, "/", &save))
			o = json_object_get(o, part);
	}
	return o;
}

static int
documented(json_t *doc, const char *method, const char *path, int status,
    const char *code)
{
	char key[8];
	json_t *op = json_object_get(json_object_get(json_object_get(doc,
	    "paths"), path), method);
	json_t *resp, *codes, *c;
	size_t i;

	assert_non_null(op);
	snprintf(key, sizeof key, "%d", status);
	resp = deref(doc, json_object_get(json_object_get(op, "responses"), key));
	codes = json_object_get(resp, "x-error-codes");
	json_array_foreach(codes, i, c)
		if (strcmp(json_string_value(c), code) == 0)
			return 1;
	return 0;
}

/* Each status an API call's table names itself, and the failures (5xx:
 * busy, storage trouble, an error) every call may answer. */
static void
every_api_code_is_documented(void **state)
{
	json_error_t err;
	json_t *doc = json_load_file("static/openapi.json", 0, &err);

	(void)state;
	if (doc == NULL)
		fail_msg("static/openapi.json: %s (run from the source folder)",
		    err.text);
	for (size_t u = 0; u < sizeof uses / sizeof uses[0]; u++) {
		for (int s = BO_OK + 1; s < BO__MAX; s++) {
			const struct outcome *o;
			int status;

			if (uses[u].op->of[s].status == HTTP_200 &&
			    http_code(COMMON_OUTCOMES.of[s].status) < 500)
				continue;
			o = outcome_of(uses[u].op, (enum bo_status)s);
			status = http_code(outcome_api_status(uses[u].op,
			    (enum bo_status)s));
			if (!documented(doc, uses[u].method, uses[u].path, status,
			    o->code))
				fail_msg("%s %s: %s answers %d %s for status %d, which "
				    "static/openapi.json does not list there",
				    uses[u].method, uses[u].path, uses[u].op->operation,
				    status, o->code, s);
		}
	}
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_common_table_names_every_status),
		cmocka_unit_test(every_status_of_every_operation_is_whole),
		cmocka_unit_test(an_operation_overrides_the_common_meaning),
		cmocka_unit_test(every_api_code_is_documented),
	};

	return cmocka_run_group_tests_name("outcome", tests, NULL, NULL);
}
