/*
 * page_error.c — error pages: 400 403 404 405 409 413 … 500 503.
 *
 * Every error is a whole page, with the header and a way on, and says what
 * happened in words a buyer understands. Nothing about it changes state.
 */
#include <stdio.h>

#include "json.h"
#include "pages.h"
#include "view.h"

static const char *
title_of(int status)
{
	switch (status) {
	case 400: return "That request was not understood";
	case 402: return "Not enough balance";
	case 403: return "Not allowed";
	case 404: return "Page not found";
	case 405: return "Not this way";
	case 409: return "Someone was faster";
	case 410: return "Expired";
	case 413: return "Too much data";
	case 414: return "Address too long";
	case 415: return "Unsupported form";
	case 429: return "Too many attempts";
	case 503: return "Please try again in a moment";
	default: return "Something went wrong";
	}
}

static const char *
code_of(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 402: return "insufficient_balance";
	case 401: return "login_required";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 410: return "gone";
	case 413: return "too_large";
	case 414: return "uri_too_long";
	case 415: return "unsupported_media_type";
	case 429: return "too_many_requests";
	case 503: return "busy";
	default: return "internal_error";
	}
}

static void error_page(struct req *, int, const char *, const char *,
    const char *);

void
page_error(struct req *r, int status, const char *message)
{
	error_page(r, status, message, NULL, NULL);
}

void
page_error_link(struct req *r, int status, const char *message,
    const char *href, const char *label)
{
	error_page(r, status, message, href, label);
}

static void
error_page(struct req *r, int status, const char *message, const char *href,
    const char *label)
{
	struct tdict *d;

	if (r->json) {
		if (status == 503)
			req_header(r, "Retry-After", "2");
		json_error(r, status, code_of(status), message);
		return;
	}

	/* The headers of what was written before (a cookie, say) stay. */
	r->status = status;
	d = view_page(r, title_of(status));
	tdict_int(d, "status", status);
	tdict_str(d, "message", message);
	if (href != NULL) {
		tdict_str(d, "link_href", href);
		tdict_str(d, "link_label", label);
	}
	if (status == 503) {
		req_header(r, "Retry-After", "2");
		tdict_bool(d, "retry", 1);
	}
	view_render(r, TMPL_ERROR, d);
}

void
page_status(struct req *r, enum bo_status s)
{
	switch (s) {
	case BO_NOT_FOUND:
		page_error(r, 404, "There is no such page: it may have been removed.");
		break;
	case BO_BUSY:
		page_error(r, 503, "So many people are buying right now that we could "
		    "not answer in time. Nothing was changed: please try again in a "
		    "moment.");
		break;
	case BO_INVALID:
		page_error(r, 400, "That request was not understood.");
		break;
	case BO_FORBIDDEN:
		page_error(r, 403, "That is not yours.");
		break;
	case BO_CONFLICT:
		page_error(r, 409, "Someone else changed this just now.");
		break;
	case BO_LIMIT:
		page_error(r, 409, "You have reached the limit for this.");
		break;
	case BO_GONE:
		page_error(r, 410, "This has expired.");
		break;
	case BO_INSUFFICIENT:
		page_error(r, 402, "Your balance is not enough for this.");
		break;
	case BO_UNAVAILABLE:
		page_error(r, 503, "The box office cannot save anything right now "
		    "because of a problem on our side. Nothing was changed: please "
		    "try again in a few minutes.");
		break;
	default:
		page_error(r, 500, "We could not complete this. Nothing was changed; "
		    "please try again. If it keeps happening, tell the box office.");
		break;
	}
}
