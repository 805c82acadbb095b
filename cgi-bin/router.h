/*
 * router.h — from a request to its page handler.
 */
#ifndef BOXOFFICE_ROUTER_H
#define BOXOFFICE_ROUTER_H

#include "metrics_shm.h"
#include "req.h"

/* The routes, one per address pattern (router.c's table). R__MAX stands
 * for "no route": a request that matched none (404) or was refused before
 * routing (a malformed request). */
enum route {
	R_HOME,
	R_CONCERT,
	R_QUEUE,
	R_QUEUE_STATE,
	R_QUEUE_JSON,
	R_QUEUE_LEAVE,
	R_PERFORMANCE,
	R_HOLDS,
	R_HOLD,
	R_HOLD_PAY,
	R_HOLD_RELEASE,
	R_BEST,
	R_ORDER,
	R_ORDER_PAY,
	R_ORDER_RELEASE,
	R_HOLD_CANCEL,
	R_WALLET,
	R_WALLET_CHARGE,
	R_BOOKINGS,
	R_TICKET,
	R_DOOR,
	R_ADMIN_REFUND,
	R_SIGNUP,
	R_LOGIN,
	R_LOGOUT,
	R_LANG,
	R_ADMIN,
	R_ADMIN_BUYER,
	R_ADMIN_SALES_CSV,
	R_ADMIN_CANCEL,
	R_API_SESSIONS,
	R_API_TOKENS,
	R_API_QUEUE_STATUS,
	R_API_CONCERTS,
	R_API_PERFORMANCES,
	R_API_SEATS,
	R_API_RESERVATIONS,
	R_API_RESERVATION,
	R_API_PAYMENTS,
	R_API_BOOKINGS,
	R_API_BALANCE,
	R_API_CHARGE,
	R_API_HISTORY,
	R_API_CHECKINS,
	R_METRICS,
	R__MAX
};

/*
 * Finds the route for r->path (r->route: R__MAX when none), checks the
 * method (405 with Allow), the login (redirect to /login and back) and,
 * for POST, the CSRF token (403), then calls the handler. Unknown paths
 * and ids answer 404.
 */
void router_dispatch(struct req *r);

/* A route's name for the metrics' route label: its pattern
 * ("/concerts/#"), or "other" for R__MAX. Static storage. */
const char *router_route_name(enum route route);

#endif
