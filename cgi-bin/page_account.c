/*
 * page_account.c — signing up, logging in and out.
 *
 * GET  /signup[?next=PATH]  the form
 * POST /signup   email, password, next, csrf  → account + session, 303 next
 * GET  /login[?next=PATH]   the form
 * POST /login    email, password, next, csrf  → session, 303 next
 * POST /logout   csrf (login required)         → session gone, 303 /
 *
 * next is checked by redirect.h: anything but a path of this site
 * becomes "/".
 *
 * A refused form comes back with its message and the e-mail kept (never
 * the password). A wrong password and an unknown e-mail get one message
 * after the same scrypt work. Too many failures → 429 with Retry-After and
 * a message saying when to try again (the rule: core/login_throttle.h,
 * shared with the API through account_login).
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "auth.h"
#include "login_throttle.h"
#include "outcome.h"
#include "pages.h"
#include "redirect.h"
#include "view.h"

/* "32 seconds", "4 minutes": how long a throttled login waits. */
static const char *
wait_words(struct req *r, int64_t seconds)
{
	if (seconds <= 1)
		return tr(r, "1 second");
	if (seconds < 120)
		return arena_printf(&r->arena, tr(r, "%lld seconds"), (long long)seconds);
	return arena_printf(&r->arena, tr(r, "%lld minutes"),
	    (long long)(seconds + 59) / 60);
}

/* The field a refused sign-up is about: the message is shown beside it,
 * tied to it (aria-describedby), and the cursor starts there. */
enum field { FIELD_NONE, FIELD_EMAIL, FIELD_PASSWORD, FIELD_TAKEN };

static void
account_form_field(struct req *r, enum tmpl t, enum http_status status,
    const char *error, enum field field)
{
	const char *email = req_form(r, "email");
	const char *next = redirect_target(req_form(r, "next") ?
	    req_form(r, "next") : req_query(r, "next"), "/");
	struct tdict *d;

	if (r->logged_in && status == HTTP_200) {
		req_redirect(r, next);
		return;
	}
	r->status = status;
	d = view_page(r, t, t == TMPL_LOGIN ? "Log in" : "Sign up");
	tdict_str(d, "email", email ? email : "");
	tdict_str(d, "next", next);
	if (error != NULL)
		tdict_str(d, "error", tr(r, error)); /* a msgid (outcome.c, core/account.c), or words made here */
	if (t == TMPL_SIGNUP) {
		tdict_bool(d, "email_error", field == FIELD_EMAIL || field == FIELD_TAKEN);
		tdict_bool(d, "password_error", field == FIELD_PASSWORD);
		tdict_bool(d, "taken", field == FIELD_TAKEN);
		tdict_bool(d, "general_error", error != NULL && field == FIELD_NONE);
	}
	view_render(r, t, d);
}

static void
account_form(struct req *r, enum tmpl t, enum http_status status,
    const char *error)
{
	account_form_field(r, t, status, error, FIELD_NONE);
}

void
page_signup_form(struct req *r)
{
	account_form(r, TMPL_SIGNUP, HTTP_200, NULL);
}

void
page_login_form(struct req *r)
{
	account_form(r, TMPL_LOGIN, HTTP_200, NULL);
}

/* The submitted e-mail as a modifiable copy in the arena. */
static char *
form_email(struct req *r)
{
	const char *e = req_form(r, "email");

	return arena_strdup(&r->arena, e ? e : "");
}

static void
logged_in(struct req *r, const struct session_new *sn, enum notice n)
{
	const char *next = redirect_target(req_form(r, "next"), "/");
	const char *old = auth_session_token(r);

	if (old != NULL)
		session_destroy(r->db, old); /* a new login, a new session */
	auth_set_session(r, sn->token, req_settings(r)->session_ttl);
	/* Say so wherever the buyer lands. */
	view_redirect(r, next, n);
}

void
page_signup(struct req *r)
{
	const char *password = req_form(r, "password");
	struct session_new sn;
	const char *why = NULL;
	enum bo_status s;

	s = account_signup(r->db, form_email(r), password ? password : "", r->now,
	    req_settings(r)->session_ttl, &sn, &why);
	if (s == BO_INVALID || s == BO_CONFLICT) /* the form again, saying so */
		account_form_field(r, TMPL_SIGNUP,
		    outcome_page_status(&SIGNUP_OUTCOMES, s),
		    why != NULL ? why : outcome_of(&SIGNUP_OUTCOMES, s)->page,
		    s == BO_CONFLICT ? FIELD_TAKEN : why == NULL ? FIELD_NONE :
		    account_email_check(form_email(r)) != NULL ? FIELD_EMAIL :
		    FIELD_PASSWORD);
	else if (s != BO_OK)
		page_outcome(r, &SIGNUP_OUTCOMES, s);
	else
		logged_in(r, &sn, NOTICE_WELCOME);
}

void
page_login(struct req *r)
{
	const char *password = req_form(r, "password");
	struct session_new sn;
	int64_t retry = 0;
	enum bo_status s;

	s = account_login(r->db, form_email(r), password ? password : "",
	    r->remote_addr, r->now, req_settings(r)->session_ttl, &sn, &retry);
	if (s == BO_INVALID) { /* the form again, saying so */
		account_form(r, TMPL_LOGIN, outcome_page_status(&LOGIN_OUTCOMES, s),
		    outcome_of(&LOGIN_OUTCOMES, s)->page);
	} else if (s == BO_THROTTLED) { /* the same, and when to try again */
		char after[24];

		snprintf(after, sizeof after, "%lld", (long long)retry);
		req_header(r, "Retry-After", after);
		account_form(r, TMPL_LOGIN, outcome_page_status(&LOGIN_OUTCOMES, s),
		    arena_printf(&r->arena, tr(r, "%1$s Please try again in %2$s."),
		    tr(r, outcome_of(&LOGIN_OUTCOMES, s)->page), wait_words(r, retry)));
	} else if (s != BO_OK) {
		page_outcome(r, &LOGIN_OUTCOMES, s);
	} else {
		logged_in(r, &sn, NOTICE_HELLO);
	}
}

void
page_logout(struct req *r)
{
	enum bo_status s = session_destroy(r->db, auth_session_token(r));

	if (s != BO_OK) {
		page_status(r, s);
		return;
	}
	auth_clear_session(r);
	view_redirect(r, "/", NOTICE_BYE);
}
