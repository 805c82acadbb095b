/*
 * pages.h — the page handlers, one file per page group (page_*.c).
 *
 * A handler gets a request whose method, login and CSRF token the router
 * has already checked, writes its response into r, and returns.
 */
#ifndef BOXOFFICE_PAGES_H
#define BOXOFFICE_PAGES_H

#include "outcome.h"
#include "req.h"

/* page_error.c */
void page_error(struct req *r, enum http_status status, const char *message);

/* page_home.c */
void page_home(struct req *r);
/* page_concert.c */
void page_concert(struct req *r);
/* Like page_error, with one link onward (href, label). */
void page_error_link(struct req *r, enum http_status status,
    const char *message,
    const char *href, const char *label);

/* page_seats.c */
void page_performance(struct req *r);
/* The seat map of performance r->id again, with status and a problem
 * ("taken": seat was just taken; "limit": max_holds reached). */
void page_performance_again(struct req *r, enum http_status status,
    const char *problem,
    int64_t seat);
/* page_holds.c */
void page_hold_create(struct req *r);
void page_hold(struct req *r);
void page_hold_pay(struct req *r);
void page_hold_release(struct req *r);
/* page_wallet.c */
void page_wallet(struct req *r);
void page_wallet_charge(struct req *r);
void page_bookings(struct req *r);
/* page_queue.c */
struct queue_view;
/* 1 when the buyer holds an ACTIVE ticket for the concert; otherwise the
 * response is written (to the waiting room or the concert page, or a JSON
 * 403) and 0 is returned. Login is checked by the router before. */
int queue_gate(struct req *r, int64_t concert_id, struct queue_view *v);
void page_queue_join(struct req *r);
void page_queue(struct req *r);
void page_queue_json(struct req *r);
void page_queue_leave(struct req *r);
/* page_account.c */
void page_signup_form(struct req *r);
void page_signup(struct req *r);
void page_login_form(struct req *r);
void page_login(struct req *r);
void page_logout(struct req *r);

#endif
