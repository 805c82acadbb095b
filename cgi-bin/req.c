/*
 * req.c — reading a FastCGI request and sending its response (req.h).
 *
 * libfcgi does not enforce CONTENT_LENGTH: FCGX_GetStr returns what
 * arrived, so a client that sends less than it announced would pass a
 * truncated form as a whole one (libfcgi 2.4.2, Debian 12). We read
 * exactly CONTENT_LENGTH bytes, capped, and refuse a short body.
 */
#include "req.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msgid.h"
#include "reqlog.h"
#include "parse.h"

static const char *
param(FCGX_Request *fr, const char *name)
{
	const char *v = FCGX_GetParam(name, fr->envp);

	return v ? v : "";
}

static enum method
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0) return M_GET;
	if (strcmp(m, "HEAD") == 0) return M_HEAD;
	if (strcmp(m, "POST") == 0) return M_POST;
	if (strcmp(m, "DELETE") == 0) return M_DELETE;
	return M_OTHER;
}

/* Reads exactly CONTENT_LENGTH bytes (at most REQ_MAX_BODY) of a POST,
 * PUT or DELETE into r->raw. */
const char *
req_method_name(enum method m)
{
	switch (m) {
	case M_GET: return "GET";
	case M_HEAD: return "HEAD";
	case M_POST: return "POST";
	case M_DELETE: return "DELETE";
	default: return "OTHER";
	}
}

static enum http_status
read_body(struct req *r, FCGX_Request *fr, const char **why)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	int64_t len = 0;
	char *body;
	int got = 0;

	if (cl != NULL && *cl != '\0' &&
	    !parse_int64(cl, 0, INT64_C(1) << 40, &len)) {
		*why = N_("The Content-Length header is not a number.");
		return HTTP_400;
	}
	if (len > REQ_MAX_BODY) {
		*why = N_("The request body is larger than 16 KiB.");
		return HTTP_413;
	}
	if (r->method == M_GET || r->method == M_HEAD)
		return HTTP_200; /* a body on a GET means nothing to us */
	body = arena_alloc(&r->arena, (size_t)len + 1);
	while (got < len) {
		int n = FCGX_GetStr(body + got, (int)len - got, fr->in);

		if (n <= 0)
			break;
		got += n;
	}
	if (got < len) {
		*why = N_("The request body is shorter than its Content-Length.");
		return HTTP_400;
	}
	r->raw = body;
	r->raw_len = (size_t)len;
	return HTTP_200;
}

enum http_status
req_parse_form(struct req *r, const char **why)
{
	enum params_error e;

	if (r->raw_len == 0)
		return HTTP_200;
	if (strncasecmp(r->content_type, "application/x-www-form-urlencoded",
	    33) != 0) {
		*why = N_("Forms must be sent as application/x-www-form-urlencoded.");
		return HTTP_415;
	}
	if ((e = params_parse_urlencoded(&r->arena, r->raw, r->raw_len, &r->form))
	    != PARAMS_OK) {
		*why = params_error_text(e);
		return e == PARAMS_TOO_LONG || e == PARAMS_TOO_MANY ? HTTP_413 : HTTP_400;
	}
	return HTTP_200;
}

enum http_status
req_read(struct req *r, FCGX_Request *fr, const char **why)
{
	const char *q = param(fr, "QUERY_STRING");
	size_t qlen = strlen(q);
	enum params_error e;

	r->method = method_of(param(fr, "REQUEST_METHOD"));
	r->path = param(fr, "DOCUMENT_URI");
	r->uri = param(fr, "REQUEST_URI");
	r->remote_addr = param(fr, "REMOTE_ADDR");
	r->content_type = param(fr, "CONTENT_TYPE");
	r->authorization = param(fr, "HTTP_AUTHORIZATION");
	r->queue_token_hdr = FCGX_GetParam("HTTP_X_QUEUE_TOKEN", fr->envp);
	r->idem_key = FCGX_GetParam("HTTP_IDEMPOTENCY_KEY", fr->envp);
	r->accept_language = FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", fr->envp);
	r->https = strcmp(param(fr, "HTTPS"), "on") == 0;
	r->status = HTTP_200;
	r->content_type_out = "text/html; charset=utf-8";
	params_parse_cookies(&r->arena, param(fr, "HTTP_COOKIE"), &r->cookies);
	if (*r->path == '\0')
		r->path = "/";
	if (qlen > REQ_MAX_QUERY) {
		*why = N_("The address is too long.");
		return HTTP_414;
	}
	if ((e = params_parse_urlencoded(&r->arena, q, qlen, &r->query)) != PARAMS_OK) {
		*why = params_error_text(e);
		return HTTP_400;
	}
	return read_body(r, fr, why);
}


void
req_send(struct req *r, FCGX_Request *fr)
{
	char head[256];
	int n = snprintf(head, sizeof head,
	    "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: %s\r\n", http_code(r->status), http_reason(r->status),
	    r->content_type_out, r->body->len,
	    r->cache_control ? r->cache_control : "no-store");

	FCGX_PutStr(head, n, fr->out);
	FCGX_PutStr(r->headers->data ? r->headers->data : "",
	    (int)r->headers->len, fr->out);
	FCGX_PutStr("\r\n", 2, fr->out);
	if (r->method != M_HEAD && r->body->len > 0)
		FCGX_PutStr(r->body->data, (int)r->body->len, fr->out);
}

void
req_header(struct req *r, const char *name, const char *value)
{
	/* Header values are ours; a CR or LF in one would be a bug. */
	if (strpbrk(value, "\r\n") != NULL)
		abort();
	/* One Cache-Control per answer, written by req_send (req.h). */
	if (strcasecmp(name, "Cache-Control") == 0) {
		r->cache_control = value;
		return;
	}
	buf_printf(r->headers, "%s: %s\r\n", name, value);
}

void
req_redirect(struct req *r, const char *location)
{
	r->status = HTTP_303;
	req_header(r, "Location", location);
	buf_reset(r->body);
}

const struct settings *
req_settings(struct req *r)
{
	struct app *app = r->app;
	enum bo_status s;

	if (r->settings_loaded)
		return &r->settings;
	r->settings_loaded = 1;
	if ((s = settings_load(r->db, &r->settings)) == BO_OK) {
		app->last_settings = r->settings;
		app->have_last_settings = 1;
	} else if (app->have_last_settings) {
		/* Settings change rarely: what the database said a moment ago
		 * beats defaults the operator may have changed. */
		r->settings = app->last_settings;
	} else {
		/* The defaults make a correct page, not a correct write. */
		log_msg(r, LOG_WARN, "settings unreadable, using defaults");
		r->settings_error = s;
	}
	return &r->settings;
}

const char *
req_query(const struct req *r, const char *name)
{
	return params_get(&r->query, name);
}

const char *
req_form(const struct req *r, const char *name)
{
	return params_get(&r->form, name);
}
