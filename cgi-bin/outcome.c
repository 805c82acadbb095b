/*
 * outcome.c — the outcome tables (see outcome.h).
 *
 * The API's codes are its contract: each appears in the x-error-codes of
 * static/openapi.json for the calls that answer it. A page's words are
 * what a buyer reads, in the buyer's language (N_: translated where the
 * page shows them, error_page in ui_shared.c); the API's stay English; a
 * handler that says more keeps the status.
 */
#include "outcome.h"

#include <assert.h>
#include <stddef.h>

#include "json.h"
#include "view.h"
#include "ui_shared.h"

/* An entry whose status is HTTP_200 is "not named": see outcome.h. */
_Static_assert(HTTP_200 == 0, "an outcome's zero status must mean unnamed");

/* Every status, as it reads when the operation gives it no meaning of its
 * own: the reads (concerts, the wallet's history, tickets), and the
 * database's answers to every operation. */
const struct outcomes COMMON_OUTCOMES = { "common", {
	[BO_NOT_FOUND] = { HTTP_404, "not_found",
	    N_("There is no such page: it may have been removed."),
	    "There is no such thing.", 0 },
	[BO_INVALID] = { HTTP_400, "invalid_field",
	    N_("That request was not understood."),
	    "A field is out of range.", HTTP_422 },
	[BO_CONFLICT] = { HTTP_409, "conflict",
	    N_("Someone else changed this just now."),
	    "Someone changed this just now.", 0 },
	[BO_KEY_REUSED] = { HTTP_409, "idempotency_key_reused",
	    N_("This form was already used for something else. Reload the page "
	    "and try again."),
	    "This Idempotency-Key was used for a different request.", HTTP_422 },
	[BO_FORBIDDEN] = { HTTP_403, "forbidden", N_("That is not yours."), NULL, 0 },
	[BO_THROTTLED] = { HTTP_429, "too_many_requests",
	    N_("Too many attempts. Please wait a moment and try again."),
	    "Too many attempts; wait and retry.", 0 },
	[BO_LIMIT] = { HTTP_409, "limit_reached",
	    N_("You have reached the limit for this."), "A limit is reached.", 0 },
	[BO_GONE] = { HTTP_410, "gone", N_("This has expired."), "It has expired.", 0 },
	[BO_INSUFFICIENT] = { HTTP_402, "insufficient_balance",
	    N_("Your balance is not enough for this."),
	    "Your balance is not enough.", 0 },
	[BO_BUSY] = { HTTP_503, "busy",
	    N_("So many people are buying right now that we could not answer in "
	    "time. Nothing was changed: please try again in a moment."),
	    "The box office is very busy: nothing was changed, retry in a "
	    "moment.", 0 },
	[BO_UNAVAILABLE] = { HTTP_503, "unavailable",
	    N_("The box office cannot save anything right now because of a problem "
	    "on our side. Nothing was changed: please try again in a few "
	    "minutes."),
	    "The box office cannot save anything right now (a problem on our "
	    "side): nothing was changed, retry later.", 0 },
	[BO_ERROR] = { HTTP_500, "internal_error",
	    N_("We could not complete this. Nothing was changed; please try "
	    "again. If it keeps happening, tell the box office."),
	    "Nothing was changed; retry.", 0 },
} };

/* Holding a seat: POST /performances/{id}/holds (a refusal for the seat
 * or the limit shows the seat map again, with a notice), POST
 * /api/v1/reservations. */
const struct outcomes HOLD_OUTCOMES = { "hold", {
	[BO_CONFLICT] = { HTTP_409, "seat_taken",
	    N_("Someone just took this seat: pick another."), NULL, 0,
	    N_("Someone was faster") },
	[BO_LIMIT] = { HTTP_409, "hold_limit",
	    N_("You hold the most seats allowed for this date: pay for them or "
	    "release one first."), NULL, 0 },
	/* No ACTIVE ticket: the page sends the buyer to the queue when it
	 * can tell where. */
	[BO_FORBIDDEN] = { HTTP_403, "not_admitted",
	    N_("Join the queue for this concert first."),
	    "Your turn in the queue is over.", 0 },
	[BO_NOT_FOUND] = { HTTP_404, "seat_not_found",
	    N_("There is no such seat for this date."), NULL, 0 },
	[BO_GONE] = { HTTP_410, "sale_closed",
	    N_("The sale for this date is not open."), NULL, 0 },
} };

/* Holding several seats as one order: POST /performances/{id}/holds with
 * more than one seat (a refusal for the seats or the limit shows the seat
 * map again with the others still picked), POST /api/v1/reservations with
 * "seatIds" (409 seat_taken names them in "seatIds"). */
const struct outcomes ORDER_OUTCOMES = { "order", {
	[BO_INVALID] = { HTTP_400, "invalid_field",
	    N_("Pick one or more different seats, at most the number allowed."),
	    "The list seatIds must name 1 to 38 different seats.", HTTP_422 },
	[BO_CONFLICT] = { HTTP_409, "seat_taken",
	    N_("Someone just took some of these seats, so none was held: pick "
	    "others."), "Some of these seats are taken (seatIds): nothing was "
	    "held.", 0, N_("Someone was faster") },
	[BO_LIMIT] = { HTTP_409, "hold_limit",
	    N_("That would be more seats than allowed for this date: pick fewer, "
	    "or pay for or release the seats you hold first."), NULL, 0 },
	[BO_FORBIDDEN] = { HTTP_403, "not_admitted",
	    N_("Join the queue for this concert first."),
	    "Your turn in the queue is over.", 0 },
	[BO_NOT_FOUND] = { HTTP_404, "seat_not_found",
	    N_("One of these seats is not a seat of this date."), NULL, 0 },
	[BO_GONE] = { HTTP_410, "sale_closed",
	    N_("The sale for this date is not open."), NULL, 0 },
} };

/* Best available: POST /performances/{id}/best, POST /api/v1/reservations
 * with "section" and "count". */
const struct outcomes BEST_OUTCOMES = { "best", {
	[BO_INVALID] = { HTTP_400, "invalid_field",
	    N_("Ask for one or more seats, at most the number allowed."),
	    "The count must be 1 to 38.", HTTP_422 },
	[BO_CONFLICT] = { HTTP_409, "no_adjacent_seats",
	    N_("No row of this section has that many free seats side by side: "
	    "ask for fewer, or pick seats on the map."), NULL, 0 },
	[BO_LIMIT] = { HTTP_409, "hold_limit",
	    N_("That would be more seats than allowed for this date: ask for "
	    "fewer, or pay for or release the seats you hold first."), NULL, 0 },
	[BO_FORBIDDEN] = { HTTP_403, "not_admitted",
	    N_("Join the queue for this concert first."),
	    "Your turn in the queue is over.", 0 },
	[BO_NOT_FOUND] = { HTTP_404, "section_not_found",
	    N_("There is no such section for this date."), NULL, 0 },
	[BO_GONE] = { HTTP_410, "sale_closed",
	    N_("The sale for this date is not open."), NULL, 0 },
} };

/* One's own order: GET /orders/{id} (and the order read before paying or
 * releasing). */
const struct outcomes ORDER_GET_OUTCOMES = { "order_get", {
	[BO_FORBIDDEN] = { HTTP_403, "forbidden",
	    N_("This order belongs to another buyer."), NULL, 0 },
	[BO_NOT_FOUND] = { HTTP_404, "not_found", N_("There is no such order."),
	    NULL, 0 },
} };

/* Releasing an order's seats: POST /orders/{id}/release. */
const struct outcomes ORDER_RELEASE_OUTCOMES = { "order_release", {
	[BO_GONE] = { HTTP_410, "gone",
	    N_("None of these seats is held any more: they were paid, released "
	    "or their time ran out."), NULL, 0 },
	[BO_FORBIDDEN] = { HTTP_403, "forbidden",
	    N_("This order belongs to another buyer."), NULL, 0 },
	[BO_NOT_FOUND] = { HTTP_404, "not_found", N_("There is no such order."),
	    NULL, 0 },
} };

/* One's own hold: GET /holds/{id} (and the hold read before paying or
 * releasing), GET /api/v1/reservations/{id}. */
const struct outcomes HOLD_GET_OUTCOMES = { "hold_get", {
	[BO_FORBIDDEN] = { HTTP_403, "forbidden",
	    N_("This hold belongs to another buyer."),
	    "This reservation belongs to another buyer.", 0 },
	[BO_NOT_FOUND] = { HTTP_404, "not_found", N_("There is no such hold."),
	    "There is no such reservation.", 0 },
} };

/* Paying a hold: POST /holds/{id}/pay (which says more: the amounts and
 * a link to top up, or whether the seat was released), POST
 * /api/v1/payments. */
const struct outcomes PAY_OUTCOMES = { "pay", {
	[BO_GONE] = { HTTP_410, "reservation_expired",
	    N_("Your hold expired before it was paid, so the seat went back on "
	    "sale. Nothing was charged."),
	    "The reservation expired or was released before it was paid; "
	    "nothing was charged.", 0 },
	[BO_INSUFFICIENT] = { HTTP_402, "insufficient_balance",
	    N_("Your balance is not enough for this seat: top up your wallet and "
	    "pay. Your hold is kept until it lapses."),
	    "Your balance is less than the price: charge it and pay again (the "
	    "seat stays held).", 0 },
	[BO_FORBIDDEN] = { HTTP_403, "forbidden",
	    N_("This hold belongs to another buyer."),
	    "This reservation belongs to another buyer.", 0 },
	[BO_NOT_FOUND] = { HTTP_404, "not_found", N_("There is no such hold."),
	    "There is no such reservation.", 0 },
} };

/* Giving a hold back: POST /holds/{id}/release (no API call). */
const struct outcomes RELEASE_OUTCOMES = { "release", {
	[BO_GONE] = { HTTP_410, "gone",
	    N_("This hold is no longer held: it was paid, released or has "
	    "expired."), NULL, 0 },
	[BO_FORBIDDEN] = { HTTP_403, "forbidden",
	    N_("This hold belongs to another buyer."), NULL, 0 },
	[BO_NOT_FOUND] = { HTTP_404, "not_found", N_("There is no such hold."),
	    NULL, 0 },
} };

/* An operator refunds a ticket by its code: POST /admin/refund (no API
 * call yet). */
const struct outcomes REFUND_OUTCOMES = { "refund", {
	[BO_NOT_FOUND] = { HTTP_404, "unknown_code",
	    N_("No ticket has this code. Check it against the buyer's ticket."),
	    NULL, 0 },
	[BO_GONE] = { HTTP_410, "refunded",
	    N_("This ticket was refunded before: nothing was changed."), NULL, 0 },
	[BO_CONFLICT] = { HTTP_409, "already_checked_in",
	    N_("This ticket was used at the door, so it is not refunded. Nothing "
	    "was changed."), NULL, 0, N_("Already used at the door") },
	[BO_LIMIT] = { HTTP_409, "limit_reached",
	    N_("The buyer's balance cannot take this refund (it would pass the "
	    "largest amount we keep). Nothing was changed."), NULL, 0 },
} };

/* A buyer cancels their own ticket: GET and POST /holds/{id}/cancel (no
 * API call yet). Another buyer's ticket is "not found", as no ticket. */
const struct outcomes CANCEL_OUTCOMES = { "cancel", {
	[BO_NOT_FOUND] = { HTTP_404, "not_found",
	    N_("There is no such ticket among yours."), NULL, 0 },
	[BO_FORBIDDEN] = { HTTP_403, "cancel_closed",
	    N_("This ticket can no longer be cancelled."), NULL, 0,
	    N_("Too late to cancel") },
	[BO_GONE] = { HTTP_410, "refunded",
	    N_("This ticket was cancelled or refunded before: its price is "
	    "already back in your wallet."), NULL, 0, N_("Already refunded") },
	[BO_CONFLICT] = { HTTP_409, "already_checked_in",
	    N_("This ticket was used at the door, so it cannot be cancelled."),
	    NULL, 0, N_("Already used at the door") },
	[BO_LIMIT] = { HTTP_409, "limit_reached",
	    N_("Your balance cannot take this refund (it would pass the largest "
	    "amount we keep). Nothing was changed."), NULL, 0 },
} };

/* Topping up the wallet: POST /wallet/charge (a full balance shows the
 * form again), POST /api/v1/balance/charge. Both check the amount first. */
const struct outcomes CHARGE_OUTCOMES = { "charge", {
	[BO_INVALID] = { HTTP_400, "invalid_field",
	    N_("This form is missing its one-time key: reload the wallet and try "
	    "again. Nothing was charged."),
	    "The amount or the Idempotency-Key is not one we take; nothing was "
	    "charged.", HTTP_422 },
	[BO_KEY_REUSED] = { HTTP_409, "idempotency_key_reused",
	    N_("This form was already used for another amount. Reload the wallet "
	    "to charge again."),
	    "This Idempotency-Key was used for a different charge.", HTTP_422 },
	[BO_LIMIT] = { HTTP_409, "limit_reached",
	    N_("That would take your balance over the largest amount we can keep. "
	    "Nothing was charged."), NULL, 0 },
} };

/* Joining a concert's queue (the concert read first): POST
 * /concerts/{id}/queue, POST /api/v1/tokens. */
const struct outcomes JOIN_OUTCOMES = { "join", {
	[BO_NOT_FOUND] = { HTTP_404, "not_found", N_("There is no such concert."),
	    NULL, 0 },
	/* Before the pre-queue opens, or after the last sale closed (the
	 * page says which, with the times). */
	[BO_CONFLICT] = { HTTP_409, "not_on_sale",
	    N_("This concert's queue does not take buyers now."),
	    "This concert's queue does not take buyers now: not before its "
	    "pre-queue opens (GET /concerts/{id}/queue/state.json says when), "
	    "nor after its last sale closed.", 0 },
} };

/* A queue ticket by its token: GET /concerts/{id}/queue.json?token=, GET
 * /api/v1/queue/status, and the API's gate before the seats. */
const struct outcomes TICKET_OUTCOMES = { "ticket", {
	[BO_FORBIDDEN] = { HTTP_403, "bad_token",
	    N_("That queue token is not yours, or not for this concert."), NULL, 0 },
} };

/* Leaving a queue: POST /concerts/{id}/queue/leave. It refuses nothing
 * of its own: leaving twice is no error. */
const struct outcomes LEAVE_OUTCOMES = { "leave", { { 0 } } };

/* Signing up: POST /signup (the form again, with the words on it; a
 * refused e-mail or password says what is wrong with it, core/account.c). */
const struct outcomes SIGNUP_OUTCOMES = { "signup", {
	[BO_INVALID] = { HTTP_422, "invalid_field",
	    N_("Please check the e-mail address and the password."), NULL, 0 },
	[BO_CONFLICT] = { HTTP_409, "email_taken",
	    N_("An account with that e-mail address exists already."), NULL, 0 },
} };

/* Logging in: POST /login (the form again), POST /api/v1/sessions. Both
 * say when to try again after a throttle. */
const struct outcomes LOGIN_OUTCOMES = { "login", {
	[BO_INVALID] = { HTTP_422, "invalid_credentials",
	    N_("That e-mail and password do not match an account."), NULL,
	    HTTP_401 },
	[BO_THROTTLED] = { HTTP_429, "too_many_requests",
	    N_("Too many failed attempts to log in to this account."), NULL, 0 },
} };

/* Letting a ticket in at the door: POST /door (the door page again, the
 * answer in big words and colour, with the seat, the first admission's
 * time and door, or the ticket's performance), POST /api/v1/checkins
 * (which adds the seat, or firstCheckedInAt and door, to the answer). A
 * code that cannot be read is answered before the database: the handler
 * says what is wrong with it (ticket_code_message). */
const struct outcomes CHECKIN_OUTCOMES = { "checkin", {
	[BO_CONFLICT] = { HTTP_409, "already_checked_in",
	    N_("This ticket has been let in already: do not admit it again."),
	    "This ticket was checked in before: firstCheckedInAt and door say "
	    "when and where.", 0 },
	[BO_NOT_FOUND] = { HTTP_404, "unknown_code",
	    N_("No ticket has this code: do not admit it."),
	    "No ticket has this code.", 0 },
	[BO_GONE] = { HTTP_410, "refunded",
	    N_("This ticket was refunded: its code opens no door."),
	    "This ticket was refunded: its code is no longer valid.", 0 },
	[BO_FORBIDDEN] = { HTTP_422, "other_performance",
	    N_("This ticket is for another performance: do not admit it here."),
	    "This ticket is for another performance than performanceId.", 0 },
	[BO_INVALID] = { HTTP_422, "malformed_code",
	    N_("That is not a ticket code: check it and type it again."),
	    "code is not a well-formed ticket code (28 symbols of Crockford's "
	    "base32 with a check symbol).", 0 },
} };

/* The same operation when the ticket's performance is cancelled
 * (struct checkin's cancelled_at): dead at the door like a refunded one,
 * whether or not cancel-performance has refunded it yet. */
const struct outcomes CHECKIN_CANCELLED_OUTCOMES = { "checkin", {
	[BO_GONE] = { HTTP_410, "performance_cancelled",
	    N_("This performance was cancelled: its tickets open no door "
	    "(they are refunded to the buyers)."),
	    "This ticket's performance was cancelled (cancelledAt): its "
	    "code is no longer valid.", 0 },
} };

const struct outcomes *
checkin_outcomes(int64_t cancelled_at)
{
	return cancelled_at != 0 ? &CHECKIN_CANCELLED_OUTCOMES :
	    &CHECKIN_OUTCOMES;
}

/* A printable ticket: GET /tickets/{id}. Another buyer's ticket is "no
 * such ticket", never a hint that it exists. */
const struct outcomes TICKET_SHOW_OUTCOMES = { "ticket_show", {
	[BO_NOT_FOUND] = { HTTP_404, "not_found",
	    N_("There is no such ticket among yours."), NULL, 0 },
} };

const struct outcome *
outcome_of(const struct outcomes *op, enum bo_status s)
{
	const struct outcome *o;

	assert(op != NULL && s != BO_OK && (unsigned)s < BO__MAX);
	o = &op->of[s];
	if (o->status == HTTP_200)
		o = &COMMON_OUTCOMES.of[s];
	assert(o->status != HTTP_200 && o->code != NULL && o->page != NULL);
	return o;
}

enum http_status
outcome_page_status(const struct outcomes *op, enum bo_status s)
{
	return outcome_of(op, s)->status;
}

enum http_status
outcome_api_status(const struct outcomes *op, enum bo_status s)
{
	const struct outcome *o = outcome_of(op, s);

	return o->api_status != HTTP_200 ? o->api_status : o->status;
}

void
api_outcome_say(struct req *r, const struct outcomes *op, enum bo_status s,
    const char *message)
{
	const struct outcome *o = outcome_of(op, s);
	enum http_status st = outcome_api_status(op, s);

	r->refusal = s;
	if (st == HTTP_503)
		req_header(r, "Retry-After", "2");
	json_error(r, st, o->code, message != NULL ? message :
	    o->api != NULL ? o->api : o->page);
}

void
api_outcome(struct req *r, const struct outcomes *op, enum bo_status s)
{
	api_outcome_say(r, op, s, NULL);
}

void
page_outcome_say(struct req *r, const struct outcomes *op, enum bo_status s,
    const char *message, const char *href, const char *label)
{
	const struct outcome *o = outcome_of(op, s);

	if (r->json) { /* a page that answers JSON: as the API does */
		api_outcome(r, op, s);
		return;
	}
	r->refusal = s;
	if (message == NULL)
		message = o->page;
	page_error_titled(r, o->status, o->title, message, href, label);
}

void
page_outcome_say_html(struct req *r, const struct outcomes *op,
    enum bo_status s, struct html message, const char *href,
    const char *label)
{
	if (r->json) { /* a page that answers JSON: as the API does */
		api_outcome(r, op, s);
		return;
	}
	r->refusal = s;
	page_error_html(r, outcome_of(op, s)->status, message, href, label);
}

void
page_outcome(struct req *r, const struct outcomes *op, enum bo_status s)
{
	page_outcome_say(r, op, s, NULL, NULL, NULL);
}

void
page_status(struct req *r, enum bo_status s)
{
	page_outcome(r, &COMMON_OUTCOMES, s);
}

void
api_status(struct req *r, enum bo_status s)
{
	api_outcome(r, &COMMON_OUTCOMES, s);
}
