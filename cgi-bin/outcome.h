/*
 * outcome.h — what an operation's answer means, to a buyer and to a
 * program: one table per operation, shared by its page and its API call.
 *
 * A core/ operation answers an enum bo_status, and what a status means
 * depends on the operation: BO_CONFLICT is "someone took the seat" for a
 * hold and "that e-mail has an account" for a sign-up; BO_LIMIT is
 * max_holds for a hold and a full balance for a charge. So each operation
 * has a table: for each status it can answer, the HTTP status, the API's
 * error code (the x-error-codes of static/openapi.json) and the messages.
 * A status an operation's table does not name means what it means
 * everywhere (COMMON_OUTCOMES: BO_BUSY is a 503, BO_ERROR a 500 …).
 *
 * A handler answers a refusal with page_outcome() or api_outcome(), which
 * also note the status in r->refusal (the worker counts the 503s of a busy
 * database for /metrics from it). It may say more than the table (the
 * amounts of a short balance, a link onward, the form again with the
 * message on it) but it takes the status and the code from the table, so
 * that a page and the API never disagree on what happened.
 */
#ifndef BOXOFFICE_OUTCOME_H
#define BOXOFFICE_OUTCOME_H

#include "http_status.h"
#include "req.h"
#include "status.h"

struct outcome {
	/* The answer's status. HTTP_200 (the zero value) marks a status
	 * this table does not name: COMMON_OUTCOMES' entry applies. */
	enum http_status status;
	const char *code;  /* the API's error code */
	const char *page;  /* for a buyer, on the page */
	const char *api;   /* for a program; NULL: the page's words */
	/* The API's status where it differs from the page's (a login
	 * refused: the form again, 422, but 401 to a program); HTTP_200
	 * (zero): the same. */
	enum http_status api_status;
	/* The page's heading where the status's own (http_status.c: "Someone
	 * was faster" for any 409) would not fit what happened; NULL: the
	 * status's. A msgid. */
	const char *title;
};

struct outcomes {
	const char *operation; /* "hold": for tests and messages */
	struct outcome of[BO__MAX];
};

/* The operations (outcome.c), each named by the core/ call it answers
 * for. The handlers using one are listed beside it there. */
extern const struct outcomes COMMON_OUTCOMES; /* reads, and the fallback */
extern const struct outcomes HOLD_OUTCOMES;     /* hold_create */
extern const struct outcomes HOLD_GET_OUTCOMES; /* hold_get: one's own hold */
extern const struct outcomes ORDER_OUTCOMES;    /* order_create */
extern const struct outcomes BEST_OUTCOMES;     /* order_best */
extern const struct outcomes ORDER_GET_OUTCOMES; /* order_get */
extern const struct outcomes ORDER_RELEASE_OUTCOMES; /* order_release */
extern const struct outcomes PAY_OUTCOMES;      /* payment_pay */
extern const struct outcomes RELEASE_OUTCOMES;  /* hold_release */
extern const struct outcomes CHARGE_OUTCOMES;   /* wallet_charge */
extern const struct outcomes REFUND_OUTCOMES;   /* refund_ticket */
extern const struct outcomes CANCEL_OUTCOMES;   /* refund_cancel */
extern const struct outcomes JOIN_OUTCOMES;     /* queue_join, its concert */
extern const struct outcomes TICKET_OUTCOMES;   /* queue_status by token */
extern const struct outcomes LEAVE_OUTCOMES;    /* queue_leave */
extern const struct outcomes SIGNUP_OUTCOMES;   /* account_signup */
extern const struct outcomes LOGIN_OUTCOMES;    /* account_login */
extern const struct outcomes CHECKIN_OUTCOMES;  /* checkin_admit */
/* checkin_admit's BO_GONE for a ticket of a cancelled performance */
extern const struct outcomes CHECKIN_CANCELLED_OUTCOMES;
/* The table of a check-in's answer: CHECKIN_CANCELLED_OUTCOMES when the
 * ticket's performance was cancelled (cancelled_at not 0), else
 * CHECKIN_OUTCOMES. Static; never NULL. */
const struct outcomes *checkin_outcomes(int64_t cancelled_at);
extern const struct outcomes TICKET_SHOW_OUTCOMES; /* ticket_show */

/* The entry for s (not BO_OK) of op: op's own, else the common one.
 * Static storage. */
const struct outcome *outcome_of(const struct outcomes *op, enum bo_status s);
/* The status the page answers for s, and the API's. */
enum http_status outcome_page_status(const struct outcomes *op,
    enum bo_status s);
enum http_status outcome_api_status(const struct outcomes *op,
    enum bo_status s);

/* Answers s as an error page with the table's words (as the API does
 * when the request answers JSON: r->json). */
void page_outcome(struct req *r, const struct outcomes *op, enum bo_status s);
/* The same with words of the handler's own (NULL: the table's) and, when
 * href is not NULL, one link onward. */
void page_outcome_say(struct req *r, const struct outcomes *op,
    enum bo_status s, const char *message, const char *href,
    const char *label);
/* The same with words that hold HTML (a time, view.h). */
struct html;
void page_outcome_say_html(struct req *r, const struct outcomes *op,
    enum bo_status s, struct html message, const char *href,
    const char *label);
/* Answers s as the API's error: its status, code and words (a 503 with
 * Retry-After). */
void api_outcome(struct req *r, const struct outcomes *op, enum bo_status s);
/* The same with words of the handler's own. */
void api_outcome_say(struct req *r, const struct outcomes *op,
    enum bo_status s, const char *message);

/* COMMON_OUTCOMES: for reads, whose refusals mean the same everywhere
 * (no such concert, the database busy). */
void page_status(struct req *r, enum bo_status s);
void api_status(struct req *r, enum bo_status s);

#endif
