/*
 * api_booking.c — reserving a seat, paying, and tickets (seed §4.3, §4.5).
 *
 * POST /api/v1/reservations   {"performanceId","seatId"}, X-Queue-Token,
 *        Idempotency-Key (optional) → 201 {"reservationId","expiresAt",…};
 *        409 seat_taken | hold_limit; 404; 410 sale_closed; 403 not_admitted
 * GET  /api/v1/reservations/{id}  → the reservation and its state
 * POST /api/v1/payments       {"reservationId"}, Idempotency-Key (optional)
 *        → 201 {"paymentId","status":"paid",…}; 402 insufficient_balance;
 *        410 reservation_expired; paying twice answers the same payment
 * GET  /api/v1/bookings       → the buyer's paid seats
 *
 * Every operation is the one the HTML pages use (core/hold.c, payment.c).
 */
#include "api.h"
#include "catalog.h"
#include "hold.h"
#include "pages.h"
#include "payment.h"

static const char *const hold_states[] = {
	[HOLD_HELD] = "held", [HOLD_PAID] = "paid",
	[HOLD_RELEASED] = "released", [HOLD_EXPIRED] = "expired",
};

static json_t *
hold_json(const struct hold_view *h)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:I, s:I}",
	    "reservationId", (json_int_t)h->id,
	    "performanceId", (json_int_t)h->performance_id,
	    "concertId", (json_int_t)h->concert_id,
	    "section", h->section, "row", h->row,
	    "number", (json_int_t)h->number, "price", (json_int_t)h->price,
	    "state", hold_states[h->state], "expiresAt", (json_int_t)h->expires_at,
	    "startsAt", (json_int_t)h->starts_at);

	if (h->payment_id)
		json_object_set_new(o, "paymentId", json_integer(h->payment_id));
	return o;
}

static void
reserve(struct req *r)
{
	json_int_t perf = 0, seat = 0;
	struct performance p;
	struct concert c;
	struct hold_view h;
	enum bo_status s;
	json_t *body;

	if ((body = api_body(r)) == NULL)
		return;
	if (!api_unpack(r, body, "{s:I, s:I}", "performanceId", &perf, "seatId",
	    &seat)) {
		json_decref(body);
		return;
	}
	json_decref(body);
	s = perf > 0 && seat > 0 ? catalog_performance(r->db, &r->arena, perf,
	    r->now, &c, &p, NULL, NULL) : BO_NOT_FOUND;
	if (s == BO_NOT_FOUND) {
		api_error(r, 404, "not_found", "There is no such performance.");
		return;
	}
	if (s != BO_OK) {
		api_status(r, s);
		return;
	}
	if (!api_gate(r, c.id))
		return;
	/* The answer is read with the hold, in its transaction: a read
	 * after the commit could fail with the seat already held. */
	s = hold_create_view(r->db, &r->arena, perf, seat, r->session.user_id,
	    r->now, req_settings(r), &h);
	switch (s) {
	case BO_OK:
		api_send(r, 201, hold_json(&h));
		return;
	case BO_CONFLICT:
		api_error(r, 409, "seat_taken", "Someone just took this seat: pick another.");
		return;
	case BO_LIMIT:
		api_error(r, 409, "hold_limit", "You hold the most seats allowed for "
		    "this date: pay for them or release one first.");
		return;
	case BO_NOT_FOUND:
		api_error(r, 404, "seat_not_found", "There is no such seat for this date.");
		return;
	case BO_GONE:
		api_error(r, 410, "sale_closed", "The sale for this date is not open.");
		return;
	case BO_FORBIDDEN:
		api_error(r, 403, "not_admitted", "Your turn in the queue is over.");
		return;
	default:
		api_status(r, s);
	}
}

void
api_reservation_create(struct req *r)
{
	if (!api_idem_begin(r))
		return;
	reserve(r);
	api_idem_end(r);
}

void
api_reservation(struct req *r)
{
	struct hold_view h;
	enum bo_status s = hold_get(r->db, &r->arena, r->id, r->session.user_id,
	    r->now, &h);

	if (s != BO_OK)
		api_status(r, s);
	else
		api_send(r, 200, hold_json(&h));
}

static void
pay(struct req *r)
{
	json_int_t hold_id = 0;
	struct hold_view h;
	enum bo_status s;
	json_t *body;
	int already;

	if ((body = api_body(r)) == NULL)
		return;
	if (!api_unpack(r, body, "{s:I}", "reservationId", &hold_id)) {
		json_decref(body);
		return;
	}
	json_decref(body);
	/* The answer is read with the payment, in its transaction. */
	s = hold_id > 0 ? payment_pay_view(r->db, &r->arena, hold_id,
	    r->session.user_id, r->now, &already, &h) : BO_NOT_FOUND;
	switch (s) {
	case BO_OK:
		break;
	case BO_GONE:
		api_error(r, 410, "reservation_expired", "The reservation expired "
		    "or was released before it was paid; nothing was charged.");
		return;
	case BO_INSUFFICIENT:
		api_error(r, 402, "insufficient_balance", "Your balance is less than "
		    "the price: charge it and pay again (the seat stays held).");
		return;
	case BO_NOT_FOUND:
		api_error(r, 404, "not_found", "There is no such reservation.");
		return;
	default:
		api_status(r, s);
		return;
	}
	api_send(r, already ? 200 : 201, json_pack("{s:I, s:I, s:s, s:I, s:o}",
	    "paymentId", (json_int_t)h.payment_id, "reservationId", (json_int_t)h.id,
	    "status", "paid", "amount", (json_int_t)h.price,
	    "reservation", hold_json(&h)));
}

void
api_payment_create(struct req *r)
{
	if (!api_idem_begin(r))
		return;
	pay(r);
	api_idem_end(r);
}

void
api_bookings(struct req *r)
{
	struct booking *b;
	enum bo_status s;
	json_t *arr;
	size_t n;

	if ((s = bookings_list(r->db, &r->arena, r->session.user_id, &b, &n)) != BO_OK) {
		api_status(r, s);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack(
		    "{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
		    "paymentId", (json_int_t)b[i].payment_id,
		    "reservationId", (json_int_t)b[i].hold_id,
		    "performanceId", (json_int_t)b[i].performance_id,
		    "concert", b[i].concert_title, "venue", b[i].venue,
		    "section", b[i].section, "row", b[i].row,
		    "number", (json_int_t)b[i].number, "amount", (json_int_t)b[i].amount,
		    "paidAt", (json_int_t)b[i].paid_at));
	api_send(r, 200, json_pack("{s:o}", "bookings", arr));
}
