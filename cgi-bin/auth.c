/*
 * auth.c — session cookies and CSRF checks (see auth.h).
 */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

static const char *
cookie_name(const struct req *r, const char *base)
{
	if (strcmp(base, "notice") == 0)
		return r->https ? "__Host-bo_notice" : "bo_notice";
	return r->https ? (strcmp(base, "s") == 0 ? "__Host-bo_s" : "__Host-bo_csrf")
	    : (strcmp(base, "s") == 0 ? "bo_s" : "bo_csrf");
}

static void
set_cookie(struct req *r, const char *base, const char *value, int64_t max_age)
{
	char line[256];

	snprintf(line, sizeof line, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; "
	    "SameSite=Lax%s", cookie_name(r, base), value, (long long)max_age,
	    r->https ? "; Secure" : "");
	req_header(r, "Set-Cookie", line);
}

const char *
auth_session_token(const struct req *r)
{
	return params_get(&r->cookies, cookie_name(r, "s"));
}

/* Sets r->logged_in from a session token. A lookup that failed (the
 * database, not the token) is kept apart: such a buyer is not asked to
 * log in again, the request answers the failure (router.c). */
static void
lookup(struct req *r, const char *token)
{
	enum bo_status s = session_lookup(r->db, token, r->now, &r->session);

	r->logged_in = s == BO_OK;
	r->auth_error = s == BO_OK || s == BO_NOT_FOUND ? BO_OK : s;
}

/* The JSON API: identity from "Authorization: Bearer TOKEN" only; cookies
 * are never read there, so no cross-site form can act through it. */
static void
auth_bearer(struct req *r)
{
	const char *h = r->authorization;

	if (strncasecmp(h, "Bearer ", 7) == 0)
		lookup(r, h + 7);
}

void
auth_load(struct req *r)
{
	const char *token = auth_session_token(r);

	if (strncmp(r->path, "/api/", 5) == 0) {
		auth_bearer(r);
		return;
	}

	/* Shown back in every form: only a token we could have made. */
	r->anon_csrf = params_get(&r->cookies, cookie_name(r, "csrf"));
	if (r->anon_csrf != NULL && !parse_token(r->anon_csrf, CSRF_TOKEN_LEN))
		r->anon_csrf = NULL;
	if (token != NULL)
		lookup(r, token);
}

const char *
auth_csrf_token(struct req *r)
{
	char *t;

	if (r->logged_in)
		return r->session.csrf;
	if (r->anon_csrf != NULL)
		return r->anon_csrf;
	t = arena_alloc(&r->arena, CSRF_TOKEN_LEN + 1);
	random_token(t, CSRF_TOKEN_LEN + 1, 16);
	set_cookie(r, "csrf", t, 86400);
	r->anon_csrf = t;
	return t;
}

static int
same_token(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == CSRF_TOKEN_LEN && strlen(b) == n &&
	    sodium_memcmp(a, b, n) == 0;
}

int
auth_csrf_ok(struct req *r, int allow_anon)
{
	const char *sent = req_form(r, "csrf");

	if (sent == NULL)
		return 0;
	if (r->logged_in && same_token(sent, r->session.csrf))
		return 1;
	return allow_anon && r->anon_csrf != NULL && same_token(sent, r->anon_csrf);
}

void
auth_set_session(struct req *r, const char *token, int64_t max_age)
{
	set_cookie(r, "s", token, max_age);
}

void
auth_clear_session(struct req *r)
{
	set_cookie(r, "s", "", 0);
}

void
auth_set_notice(struct req *r, const char *code)
{
	/* A minute is plenty for the redirect it rides on; a notice never
	 * outlives the next page. */
	set_cookie(r, "notice", code, 60);
}

const char *
auth_take_notice(struct req *r)
{
	const char *code = params_get(&r->cookies, cookie_name(r, "notice"));

	if (code != NULL)
		set_cookie(r, "notice", "", 0);
	return code;
}
