/*
 * router.c — the route table (see router.h).
 *
 * A pattern is a path whose '#' segment matches a positive decimal id
 * without leading zeros (stored in r->id); anything else in the segment is
 * a 404, never a 400, as for any address that does not exist.
 */
#include "router.h"

#include <assert.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "buf.h"
#include "html.h"
#include "outcome.h"
#include "reqlog.h"
#include "role.h"
#include "pages.h"
#include "parse.h"
#include "ui_shared.h"
#include "view.h"

/* Every route has its slot among the shared counters, and one more for
 * requests no route matched. */
_Static_assert(R__MAX + 1 <= METRICS_ROUTES,
    "more routes than metrics_shm.h has slots for: raise METRICS_ROUTES");

enum route_flag {
	RF_LOGIN = 1,     /* only for a logged-in buyer */
	RF_ANON_CSRF = 2, /* its form is posted before any session exists */
	RF_JSON = 4,      /* answers JSON, errors included */
	RF_API = 8 | 4,   /* the JSON API: bearer token, JSON bodies, no forms
	                   * or CSRF (no cookie is ever read there) */
	RF_STAFF = 16 | 1,    /* only for staff (the door) or operators */
	RF_OPERATOR = 32 | 1, /* only for operators (/admin/) */
};

typedef void (*handler)(struct req *);

static const struct {
	const char *pattern;
	handler get, post;
	unsigned flags;
	handler del;
} routes[R__MAX] = {
	[R_HOME] = { "/", page_home, NULL, 0 },
	[R_CONCERT] = { "/concerts/#", page_concert, NULL, 0 },
	[R_QUEUE] = { "/concerts/#/queue", page_queue, page_queue_join, RF_LOGIN },
	[R_QUEUE_STATE] = { "/concerts/#/queue/state.json", page_queue_state,
	    NULL, RF_JSON },
	[R_QUEUE_JSON] = { "/concerts/#/queue.json", page_queue_json, NULL,
	    RF_LOGIN | RF_JSON },
	[R_QUEUE_LEAVE] = { "/concerts/#/queue/leave", NULL, page_queue_leave,
	    RF_LOGIN },
	[R_PERFORMANCE] = { "/performances/#", page_performance, NULL, RF_LOGIN },
	[R_HOLDS] = { "/performances/#/holds", NULL, page_hold_create, RF_LOGIN },
	[R_HOLD] = { "/holds/#", page_hold, NULL, RF_LOGIN },
	[R_HOLD_PAY] = { "/holds/#/pay", NULL, page_hold_pay, RF_LOGIN },
	[R_HOLD_RELEASE] = { "/holds/#/release", NULL, page_hold_release, RF_LOGIN },
	[R_BEST] = { "/performances/#/best", NULL, page_best, RF_LOGIN },
	[R_ORDER] = { "/orders/#", page_order, NULL, RF_LOGIN },
	[R_ORDER_PAY] = { "/orders/#/pay", NULL, page_order_pay, RF_LOGIN },
	[R_ORDER_RELEASE] = { "/orders/#/release", NULL, page_order_release,
	    RF_LOGIN },
	[R_HOLD_CANCEL] = { "/holds/#/cancel", page_cancel_form, page_cancel,
	    RF_LOGIN },
	[R_WALLET] = { "/wallet", page_wallet, NULL, RF_LOGIN },
	[R_WALLET_CHARGE] = { "/wallet/charge", NULL, page_wallet_charge, RF_LOGIN },
	[R_BOOKINGS] = { "/bookings", page_bookings, NULL, RF_LOGIN },
	[R_TICKET] = { "/tickets/#", page_ticket, NULL, RF_LOGIN },
	[R_DOOR] = { "/door", page_door, page_door_checkin, RF_STAFF },
	[R_ADMIN_REFUND] = { "/admin/refund", page_admin_refund,
	    page_admin_refund_post, RF_OPERATOR },
	[R_SIGNUP] = { "/signup", page_signup_form, page_signup, RF_ANON_CSRF },
	[R_LOGIN] = { "/login", page_login_form, page_login, RF_ANON_CSRF },
	[R_LOGOUT] = { "/logout", NULL, page_logout, RF_LOGIN },
	[R_LANG] = { "/lang", page_lang, NULL, 0 },
	[R_ADMIN] = { "/admin/", page_admin, NULL, RF_OPERATOR },
	[R_ADMIN_BUYER] = { "/admin/buyer", page_admin_buyer, NULL, RF_OPERATOR },
	[R_ADMIN_SALES_CSV] = { "/admin/performances/#/sales.csv",
	    page_admin_sales_csv, NULL, RF_OPERATOR },
	[R_ADMIN_CANCEL] = { "/admin/performances/#/cancel", page_admin_cancel,
	    page_admin_cancel_post, RF_OPERATOR },

	[R_API_SESSIONS] = { "/api/v1/sessions", NULL, api_session_create, RF_API,
	    api_session_delete },
	[R_API_TOKENS] = { "/api/v1/tokens", NULL, api_token_create, RF_API | RF_LOGIN },
	[R_API_QUEUE_STATUS] = { "/api/v1/queue/status", api_queue_status, NULL,
	    RF_API | RF_LOGIN },
	[R_API_CONCERTS] = { "/api/v1/concerts", api_concerts, NULL, RF_API },
	[R_API_PERFORMANCES] = { "/api/v1/concerts/#/performances", api_performances,
	    NULL, RF_API | RF_LOGIN },
	[R_API_SEATS] = { "/api/v1/performances/#/seats", api_seats, NULL,
	    RF_API | RF_LOGIN },
	[R_API_RESERVATIONS] = { "/api/v1/reservations", NULL,
	    api_reservation_create, RF_API | RF_LOGIN },
	[R_API_RESERVATION] = { "/api/v1/reservations/#", api_reservation, NULL,
	    RF_API | RF_LOGIN },
	[R_API_PAYMENTS] = { "/api/v1/payments", NULL, api_payment_create,
	    RF_API | RF_LOGIN },
	[R_API_BOOKINGS] = { "/api/v1/bookings", api_bookings, NULL, RF_API | RF_LOGIN },
	[R_API_BALANCE] = { "/api/v1/balance", api_balance, NULL, RF_API | RF_LOGIN },
	[R_API_CHARGE] = { "/api/v1/balance/charge", NULL, api_charge,
	    RF_API | RF_LOGIN },
	[R_API_HISTORY] = { "/api/v1/balance/history", api_history, NULL,
	    RF_API | RF_LOGIN },
	[R_API_CHECKINS] = { "/api/v1/checkins", NULL, api_checkin_create,
	    RF_API | RF_STAFF },

	/* Prometheus (nginx lets only the operator's addresses reach it). */
	[R_METRICS] = { "/metrics", page_metrics, NULL, 0 },
};

const char *
router_route_name(enum route route)
{
	assert((unsigned)route <= R__MAX);
	return route == R__MAX ? "other" : routes[route].pattern;
}

/*
 * Whether the logged-in buyer may use a route of these flags: the one
 * place a role is checked, so that a page or API call under /admin/ or
 * /door cannot forget it. The roles came with the session's read (this
 * request's, so a revoke counts at once). 0 after answering 403.
 */
static int
role_allows(struct req *r, unsigned flags)
{
	enum role need = (flags & RF_OPERATOR) == RF_OPERATOR ? ROLE_OPERATOR :
	    (flags & RF_STAFF) == RF_STAFF ? ROLE_STAFF : ROLE__MAX;

	if (need == ROLE__MAX)
		return 1;
	assert(r->logged_in);
	if (role_set_allows(r->session.roles, need))
		return 1;
	if ((flags & RF_API) == RF_API) {
		api_error(r, HTTP_403, "forbidden", need == ROLE_OPERATOR ?
		    "This needs an operator's account." : "This needs a staff "
		    "account (the door) or an operator's.");
	} else {
		page_error(r, HTTP_403, need == ROLE_OPERATOR ? N_("This page is "
		    "for the box office's operators. If you run this sale, ask "
		    "another operator to give your account access.") :
		    N_("This page is for the staff at the door. If you work "
		    "there, ask the box office to give your account access."));
	}
	return 0;
}

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
method_not_allowed(struct req *r, handler get, handler post, handler del)
{
	req_header(r, "Allow", get && post ? "GET, HEAD, POST" :
	    get ? "GET, HEAD" : del ? "POST, DELETE" : "POST");
	page_error(r, HTTP_405, r->json ? "This method is not allowed here: see the "
	    "Allow header." : get ? N_("This page can only be read, not posted "
	    "to.") : N_("This address only takes a form; there is no page to "
	    "show here."));
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
	buf_puts(&loc, "/login?next=");
	url_encode(&loc, buf_cstr(&next));
	view_redirect(r, arena_strdup(&r->arena, buf_cstr(&loc)), NOTICE_LOGIN);
	buf_free(&next);
	buf_free(&loc);
}

void
router_dispatch(struct req *r)
{
	r->route = R__MAX;
	for (int i = 0; i < R__MAX; i++) {
		handler h;

		if (!match(routes[i].pattern, r->path, &r->id))
			continue;
		r->route = (enum route)i;
		log_request_route(routes[i].pattern);
		r->json = (routes[i].flags & RF_JSON) != 0;
		if (r->method == M_GET || r->method == M_HEAD)
			h = routes[i].get;
		else if (r->method == M_POST)
			h = routes[i].post;
		else if (r->method == M_DELETE)
			h = routes[i].del;
		else
			h = NULL;
		if (h == NULL) {
			method_not_allowed(r, routes[i].get, routes[i].post,
			    routes[i].del);
			return;
		}
		if (r->method == M_POST && !r->json) {
			const char *why;
			enum http_status bad = req_parse_form(r, &why);

			if (bad != HTTP_200) {
				page_error(r, bad, why);
				return;
			}
		}
		if (((routes[i].flags & RF_LOGIN) ||
		    ((routes[i].flags & RF_API) == RF_API && r->method == M_DELETE)) &&
		    !r->logged_in) {
			if (r->auth_error != BO_OK) {
				/* Not "log in": the session could not be read. */
				if ((routes[i].flags & RF_API) == RF_API)
					api_status(r, r->auth_error);
				else
					page_status(r, r->auth_error);
			} else if ((routes[i].flags & RF_API) == RF_API) {
				req_header(r, "WWW-Authenticate", "Bearer");
				api_error(r, HTTP_401, "unauthorized", "Send a valid token: "
				    "Authorization: Bearer TOKEN (POST /api/v1/sessions "
				    "gives one).");
			} else if (r->json)
				page_error(r, HTTP_401, "Log in first.");
			else
				to_login(r);
			return;
		}
		if (!role_allows(r, routes[i].flags))
			return;
		if (r->method == M_POST && (routes[i].flags & RF_API) != RF_API &&
		    !auth_csrf_ok(r, (routes[i].flags & RF_ANON_CSRF) != 0)) {
			page_error(r, HTTP_403, "This form has expired or did not come from "
			    "our site. Go back, reload the page and try again.");
			return;
		}
		if (r->method != M_GET && r->method != M_HEAD &&
		    (req_settings(r), r->settings_error != BO_OK)) {
			/* A write never runs on default settings. */
			if ((routes[i].flags & RF_API) == RF_API)
				api_status(r, r->settings_error);
			else
				page_status(r, r->settings_error);
			return;
		}
		h(r);
		return;
	}
	r->json = strncmp(r->path, "/api/", 5) == 0;
	page_error(r, HTTP_404, r->json ? "There is no such endpoint: see "
	    "/api/v1/openapi.json." : N_("There is no page at this address."));
}
