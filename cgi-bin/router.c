/*
 * router.c — the route table (see router.h).
 *
 * A pattern is a path whose '#' segment matches a positive decimal id
 * without leading zeros (stored in r->id); anything else in the segment is
 * a 404, never a 400, as for any address that does not exist.
 */
#include "router.h"

#include <string.h>

#include "auth.h"
#include "buf.h"
#include "html.h"
#include "pages.h"
#include "parse.h"
#include "view.h"

enum route {
	R_HOME,
	R_CONCERT,
	R_QUEUE,
	R_QUEUE_JSON,
	R_QUEUE_LEAVE,
	R_PERFORMANCE,
	R_HOLDS,
	R_HOLD,
	R_HOLD_PAY,
	R_HOLD_RELEASE,
	R_WALLET,
	R_WALLET_CHARGE,
	R_BOOKINGS,
	R_SIGNUP,
	R_LOGIN,
	R_LOGOUT,
	R__MAX
};

enum route_flag {
	RF_LOGIN = 1,     /* only for a logged-in buyer */
	RF_ANON_CSRF = 2, /* its form is posted before any session exists */
	RF_JSON = 4,      /* answers JSON, errors included */
};

typedef void (*handler)(struct req *);

static const struct {
	const char *pattern;
	handler get, post;
	unsigned flags;
} routes[R__MAX] = {
	[R_HOME] = { "/", page_home, NULL, 0 },
	[R_CONCERT] = { "/concerts/#", page_concert, NULL, 0 },
	[R_QUEUE] = { "/concerts/#/queue", page_queue, page_queue_join, RF_LOGIN },
	[R_QUEUE_JSON] = { "/concerts/#/queue.json", page_queue_json, NULL,
	    RF_LOGIN | RF_JSON },
	[R_QUEUE_LEAVE] = { "/concerts/#/queue/leave", NULL, page_queue_leave,
	    RF_LOGIN },
	[R_PERFORMANCE] = { "/performances/#", page_performance, NULL, RF_LOGIN },
	[R_HOLDS] = { "/performances/#/holds", NULL, page_hold_create, RF_LOGIN },
	[R_HOLD] = { "/holds/#", page_hold, NULL, RF_LOGIN },
	[R_HOLD_PAY] = { "/holds/#/pay", NULL, page_hold_pay, RF_LOGIN },
	[R_HOLD_RELEASE] = { "/holds/#/release", NULL, page_hold_release, RF_LOGIN },
	[R_WALLET] = { "/wallet", page_wallet, NULL, RF_LOGIN },
	[R_WALLET_CHARGE] = { "/wallet/charge", NULL, page_wallet_charge, RF_LOGIN },
	[R_BOOKINGS] = { "/bookings", page_bookings, NULL, RF_LOGIN },
	[R_SIGNUP] = { "/signup", page_signup_form, page_signup, RF_ANON_CSRF },
	[R_LOGIN] = { "/login", page_login_form, page_login, RF_ANON_CSRF },
	[R_LOGOUT] = { "/logout", NULL, page_logout, RF_LOGIN },
};

/* Matches path against pattern, storing a '#' id in *id. */
static int
match(const char *pattern, const char *path, int64_t *id)
{
	while (*pattern && *path) {
		if (*pattern == '#') {
			char digits[20];
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= sizeof digits)
				return 0;
			memcpy(digits, path, n);
			digits[n] = '\0';
			if (!parse_int64(digits, 1, INT64_MAX, id))
				return 0;
			pattern++;
			path += n;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	return *pattern == '\0' && *path == '\0';
}

static void
method_not_allowed(struct req *r, handler get, handler post)
{
	req_header(r, "Allow", get && post ? "GET, HEAD, POST" :
	    get ? "GET, HEAD" : "POST");
	page_error(r, 405, get ? "This page can only be read, not posted to." :
	    "This address only takes a form; there is no page to show here.");
}

/* POST /a/b/action without a login → log in, then back to /a/b. */
static void
to_login(struct req *r)
{
	struct buf next = BUF_INIT, loc = BUF_INIT;

	if (r->method == M_POST) {
		const char *slash = strrchr(r->path, '/');

		buf_put(&next, r->path, slash && slash != r->path ?
		    (size_t)(slash - r->path) : 1);
	} else {
		buf_puts(&next, view_here(r));
	}
	buf_puts(&loc, "/login?msg=login&next=");
	url_encode(&loc, buf_cstr(&next));
	req_redirect(r, arena_strdup(&r->arena, buf_cstr(&loc)));
	buf_free(&next);
	buf_free(&loc);
}

void
router_dispatch(struct req *r)
{
	for (int i = 0; i < R__MAX; i++) {
		handler h;

		if (!match(routes[i].pattern, r->path, &r->id))
			continue;
		r->json = (routes[i].flags & RF_JSON) != 0;
		if (r->method == M_GET || r->method == M_HEAD)
			h = routes[i].get;
		else if (r->method == M_POST)
			h = routes[i].post;
		else
			h = NULL;
		if (h == NULL) {
			method_not_allowed(r, routes[i].get, routes[i].post);
			return;
		}
		if (r->method == M_POST && !r->json) {
			const char *why;
			int bad = req_parse_form(r, &why);

			if (bad) {
				page_error(r, bad, why);
				return;
			}
		}
		if ((routes[i].flags & RF_LOGIN) && !r->logged_in) {
			if (r->json)
				page_error(r, 401, "Log in first.");
			else
				to_login(r);
			return;
		}
		if (r->method == M_POST &&
		    !auth_csrf_ok(r, (routes[i].flags & RF_ANON_CSRF) != 0)) {
			page_error(r, 403, "This form has expired or did not come from "
			    "our site. Go back, reload the page and try again.");
			return;
		}
		h(r);
		return;
	}
	page_error(r, 404, "There is no page at this address.");
}
