/*
 * pages.h — the page handlers, one file per page group (page_*.c).
 *
 * A handler gets a request whose method, login and CSRF token the router
 * has already checked, writes its response into r, and returns. Only the
 * router calls these; what pages share is in ui_shared.h (the error page,
 * the queue gate, the seat map), view.h (layout and formatting) and
 * outcome.h (what an operation's refusal means).
 */
#ifndef BOXOFFICE_PAGES_H
#define BOXOFFICE_PAGES_H

#include "req.h"

/* page_lang.c */
void page_lang(struct req *r);
/* page_home.c */
void page_home(struct req *r);
/* page_concert.c */
void page_concert(struct req *r);
/* page_seats.c */
void page_performance(struct req *r);
/* page_holds.c */
void page_hold_create(struct req *r);
void page_hold(struct req *r);
void page_hold_pay(struct req *r);
void page_hold_release(struct req *r);
/* page_orders.c */
void page_best(struct req *r);
void page_order(struct req *r);
void page_order_pay(struct req *r);
void page_order_release(struct req *r);
/* page_wallet.c */
void page_wallet(struct req *r);
void page_wallet_charge(struct req *r);
void page_bookings(struct req *r);
/* page_tickets.c */
void page_ticket(struct req *r);
/* page_door.c */
void page_door(struct req *r);
void page_door_checkin(struct req *r);
/* page_cancel.c */
void page_cancel_form(struct req *r);
void page_cancel(struct req *r);
/* page_admin_refund.c */
void page_admin_refund(struct req *r);
void page_admin_refund_post(struct req *r);
/* page_queue.c */
void page_queue_join(struct req *r);
void page_queue(struct req *r);
void page_queue_json(struct req *r);
void page_queue_state(struct req *r);
void page_queue_leave(struct req *r);
/* page_admin.c */
void page_admin(struct req *r);
void page_admin_buyer(struct req *r);
void page_admin_sales_csv(struct req *r);
/* page_admin_cancel.c */
void page_admin_cancel(struct req *r);
void page_admin_cancel_post(struct req *r);
/* page_account.c */
void page_signup_form(struct req *r);
void page_signup(struct req *r);
void page_login_form(struct req *r);
void page_login(struct req *r);
void page_logout(struct req *r);
/* page_metrics.c */
void page_metrics(struct req *r);

#endif
