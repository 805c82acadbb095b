/*
 * page_error.c — error pages: 400 403 404 405 409 413 … 500 503.
 *
 * Their titles and default codes are in the status table
 * (http_status.c), beside each status's reason phrase.
 *
 * Every error is a whole page, with the header and a way on, and says what
 * happened in words a buyer understands. Nothing about it changes state.
 */
#include <stdio.h>

#include "json.h"
#include "pages.h"
#include "view.h"

static void error_page(struct req *, enum http_status, const char *,
    const char *, const char *);

void
page_error(struct req *r, enum http_status status, const char *message)
{
	error_page(r, status, message, NULL, NULL);
}

void
page_error_link(struct req *r, enum http_status status,
    const char *message, const char *href, const char *label)
{
	error_page(r, status, message, href, label);
}

static void
error_page(struct req *r, enum http_status status, const char *message,
    const char *href, const char *label)
{
	struct tdict *d;

	if (r->json) {
		if (status == HTTP_503)
			req_header(r, "Retry-After", "2");
		json_error(r, status, http_error_code(status), message);
		return;
	}

	/* The headers of what was written before (a cookie, say) stay. */
	r->status = status;
	d = view_page(r, http_title(status));
	tdict_int(d, "status", http_code(status));
	tdict_str(d, "message", message);
	if (href != NULL) {
		tdict_str(d, "link_href", href);
		tdict_str(d, "link_label", label);
	}
	if (status == HTTP_503) {
		req_header(r, "Retry-After", "2");
		tdict_bool(d, "retry", 1);
	}
	view_render(r, TMPL_ERROR, d);
}
