/*
 * auth.h — who is asking: the session cookie and CSRF tokens.
 *
 * Cookies are HttpOnly and SameSite=Lax; over HTTPS they are Secure and
 * named with the __Host- prefix. A logged-in buyer's forms carry the
 * session's CSRF token; the login and signup forms, before any session
 * exists, carry a random token that is also set as a cookie (double submit).
 * Tokens are compared in constant time (libsodium).
 */
#ifndef BOXOFFICE_AUTH_H
#define BOXOFFICE_AUTH_H

#include "req.h"

/* Looks up the session cookie — or, under /api/, the bearer token only;
 * sets r->logged_in and r->session. */
void auth_load(struct req *r);
/* The token to put in this page's forms (sets the pre-login cookie when
 * needed); owned by r. */
const char *auth_csrf_token(struct req *r);
/* Whether the POSTed csrf field matches. allow_anon also accepts the
 * pre-login token (login and signup forms). */
int auth_csrf_ok(struct req *r, int allow_anon);
/* Sets or clears the session cookie on the response. */
void auth_set_session(struct req *r, const char *token, int64_t max_age);
void auth_clear_session(struct req *r);
/* The one-time notice of the page a redirect leads to ("Paid! …"): a
 * cookie, not a ?msg= in the address, so that reloading that page or
 * coming Back to it does not say it again. auth_set_notice() sets it
 * (code: letters and '_', view.c's table); auth_take_notice() returns
 * the code sent, or NULL, and clears the cookie on this response. */
void auth_set_notice(struct req *r, const char *code);
const char *auth_take_notice(struct req *r);
/* The session cookie's value as sent, or NULL. */
const char *auth_session_token(const struct req *r);

#endif
