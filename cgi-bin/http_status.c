/*
 * http_status.c — the table of statuses (see http_status.h).
 */
#include "http_status.h"
#include "lang.h" /* N_: the titles are msgids, shown translated */

#include <assert.h>
#include <stddef.h>

static const struct {
	int code;
	const char *reason, *title, *error;
} statuses[HTTP__MAX] = {
	[HTTP_200] = { 200, "OK", N_("OK"), "ok" },
	[HTTP_201] = { 201, "Created", N_("Created"), "created" },
	[HTTP_204] = { 204, "No Content", N_("Done"), "no_content" },
	[HTTP_303] = { 303, "See Other", N_("Moved on"), "see_other" },
	[HTTP_400] = { 400, "Bad Request", N_("That request was not understood"),
	    "bad_request" },
	[HTTP_401] = { 401, "Unauthorized", N_("Please log in"), "login_required" },
	[HTTP_402] = { 402, "Payment Required", N_("Not enough balance"),
	    "insufficient_balance" },
	[HTTP_403] = { 403, "Forbidden", N_("Not allowed"), "forbidden" },
	[HTTP_404] = { 404, "Not Found", N_("Page not found"), "not_found" },
	[HTTP_405] = { 405, "Method Not Allowed", N_("Not this way"),
	    "method_not_allowed" },
	/* Neutral: what conflicted is the outcome's to say (outcome.h's
	 * title: "Someone was faster" for a seat just taken, "Already used
	 * at the door" for a ticket…). */
	[HTTP_409] = { 409, "Conflict", N_("That cannot be done now"),
	    "conflict" },
	[HTTP_410] = { 410, "Gone", N_("Expired"), "gone" },
	[HTTP_411] = { 411, "Length Required", N_("That request was not understood"),
	    "length_required" },
	[HTTP_413] = { 413, "Content Too Large", N_("Too much data"), "too_large" },
	[HTTP_414] = { 414, "URI Too Long", N_("Address too long"), "uri_too_long" },
	[HTTP_415] = { 415, "Unsupported Media Type", N_("Unsupported form"),
	    "unsupported_media_type" },
	[HTTP_422] = { 422, "Unprocessable Content", N_("Please check what you "
	    "entered"), "invalid_field" },
	[HTTP_429] = { 429, "Too Many Requests", N_("Too many attempts"),
	    "too_many_requests" },
	[HTTP_500] = { 500, "Internal Server Error", N_("Something went wrong"),
	    "internal_error" },
	[HTTP_502] = { 502, "Bad Gateway", N_("Something went wrong"),
	    "bad_gateway" },
	/* Busy, or storage trouble: either way, try again. */
	[HTTP_503] = { 503, "Service Unavailable", N_("Please try again in a "
	    "moment"), "busy" },
};

int
http_code(enum http_status s)
{
	assert((unsigned)s < HTTP__MAX && statuses[s].code != 0);
	return statuses[s].code;
}

const char *
http_reason(enum http_status s)
{
	assert((unsigned)s < HTTP__MAX && statuses[s].reason != NULL);
	return statuses[s].reason;
}

const char *
http_title(enum http_status s)
{
	assert((unsigned)s < HTTP__MAX && statuses[s].title != NULL);
	return statuses[s].title;
}

const char *
http_error_code(enum http_status s)
{
	assert((unsigned)s < HTTP__MAX && statuses[s].error != NULL);
	return statuses[s].error;
}

int
http_ok(enum http_status s)
{
	int c = http_code(s);

	return c >= 200 && c < 400;
}

enum http_status
http_from_code(int code)
{
	for (int s = 0; s < HTTP__MAX; s++)
		if (statuses[s].code == code)
			return (enum http_status)s;
	return HTTP__MAX;
}
