/*
 * api_booking.c — reserving a seat, paying, and tickets.
 *
 * POST /api/v1/reservations   {"performanceId","seatId"}, X-Queue-Token,
 *        Idempotency-Key (optional) → 201 {"reservationId","expiresAt",…};
 *        409 seat_taken | hold_limit; 404; 410 sale_closed; 403 not_admitted
 * GET  /api/v1/reservations/{id}  → the reservation and its state
 * POST /api/v1/payments       {"reservationId"}, Idempotency-Key (optional)
 *        → 201 {"paymentId","status":"paid",…}; 402 insufficient_balance;
 *        410 reservation_expired; paying twice answers the same payment
 *        (200); no queue turn needed: a live hold may be paid until it
 *        lapses
 *
 * With an Idempotency-Key, the record is kept by core/ in the operation's
 * own transaction; a replay answers the first status with the hold (and
 * payment) as they are now.
 * GET  /api/v1/bookings[?limit=N&cursor=C] → the buyer's paid seats,
 *        newest payment first, a page at a time (nextCursor), each with
 *        its ticketCode (canonical: what the QR code holds and the door
 *        reads)
 *
 * Every operation is the one the HTML pages use (core/hold.c, payment.c).
 */
#include <string.h>

#include "api.h"
#include "json.h"
#include "catalog.h"
#include "hold.h"
#include "payment.h"

static const char *const hold_states[] = {
	[HOLD_HELD] = "held", [HOLD_PAID] = "paid",
	[HOLD_RELEASED] = "released", [HOLD_EXPIRED] = "expired",
};

static json_t *
hold_json(const struct hold_view *h)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:s, s:I, s:I}",
	    "reservationId", (json_int_t)h->id,
	    "performanceId", (json_int_t)h->performance_id,
	    "concertId", (json_int_t)h->concert_id,
	    "section", json_text(h->section), "row", json_text(h->row),
	    "number", (json_int_t)h->number, "price", (json_int_t)h->price,
	    "state", hold_states[h->state], "expiresAt", (json_int_t)h->expires_at,
	    "startsAt", (json_int_t)h->starts_at);

	if (h->payment_id)
		json_object_set_new(o, "paymentId", json_integer(h->payment_id));
	return o;
}

/* Holds the seat the body names; 1 when hold_create_view() answered
 * BO_OK (k says what happened; *h is the hold this request made, read in
 * its own transaction, or h->id is 0), 0 when a refusal was answered. */
static int
reserve(struct req *r, struct idem *k, struct hold_view *h)
{
	json_int_t perf = 0, seat = 0;
	struct performance p;
	struct concert c;
	enum bo_status s;
	json_t *body;

	if ((body = api_body(r)) == NULL)
		return 0;
	if (!api_unpack(r, body, "{s:I, s:I}", "performanceId", &perf, "seatId",
	    &seat)) {
		json_decref(body);
		return 0;
	}
	json_decref(body);
	s = perf > 0 && seat > 0 ? catalog_performance(r->db, &r->arena, perf,
	    r->now, &c, &p, NULL, NULL) : BO_NOT_FOUND;
	if (s == BO_NOT_FOUND) {
		api_error(r, HTTP_404, "not_found", "There is no such performance.");
		return 0;
	}
	if (s != BO_OK) {
		api_status(r, s);
		return 0;
	}
	if (!api_gate(r, c.id))
		return 0;
	s = hold_create_view(r->db, &r->arena, perf, seat, r->session.user_id,
	    r->now, req_settings(r), k, h);
	if (s != BO_OK) {
		api_outcome(r, &HOLD_OUTCOMES, s);
		return 0;
	}
	return 1;
}

void
api_reservation_create(struct req *r)
{
	struct hold_view h;
	enum bo_status s;
	struct idem k;

	memset(&h, 0, sizeof h);
	if (!api_idem_begin(r, &k, HTTP_201))
		return;
	if (k.result == IDEM_NEW && !reserve(r, &k, &h))
		return;
	if (!api_idem_answer(r, &k))
		return;
	/* Made now: as read in its own transaction (a read after the commit
	 * could fail, with the seat held). Replayed: the hold as it is now. */
	if (h.id == 0 && (s = hold_get(r->db, &r->arena, idem_ref(&k,
	    IDEM_REF_HOLD), r->session.user_id, r->now, &h)) != BO_OK) {
		api_outcome(r, &HOLD_GET_OUTCOMES, s);
		return;
	}
	api_idem_send(r, &k, hold_json(&h));
}

void
api_reservation(struct req *r)
{
	struct hold_view h;
	enum bo_status s = hold_get(r->db, &r->arena, r->id, r->session.user_id,
	    r->now, &h);

	if (s != BO_OK)
		api_outcome(r, &HOLD_GET_OUTCOMES, s);
	else
		api_send(r, HTTP_200, hold_json(&h));
}

static json_t *
payment_json(const struct hold_view *h)
{
	return json_pack("{s:I, s:I, s:s, s:I, s:o}",
	    "paymentId", (json_int_t)h->payment_id, "reservationId", (json_int_t)h->id,
	    "status", "paid", "amount", (json_int_t)h->price,
	    "reservation", hold_json(h));
}

/* Pays the reservation the body names; 1 when payment_pay_view() answered
 * BO_OK (k says what happened; *already when it was paid before; *h is
 * the hold as this request left or found it, read in its transaction, or
 * h->id is 0), 0 when a refusal was answered. */
static int
pay(struct req *r, struct idem *k, int64_t *hold_id, int *already,
    struct hold_view *h)
{
	json_int_t id = 0;
	enum bo_status s;
	json_t *body;

	if ((body = api_body(r)) == NULL)
		return 0;
	if (!api_unpack(r, body, "{s:I}", "reservationId", &id)) {
		json_decref(body);
		return 0;
	}
	json_decref(body);
	*hold_id = id;
	s = id > 0 ? payment_pay_view(r->db, &r->arena, id, r->session.user_id,
	    r->now, k, already, h) : BO_NOT_FOUND;
	if (s != BO_OK) {
		api_outcome(r, &PAY_OUTCOMES, s);
		return 0;
	}
	return 1;
}

void
api_payment_create(struct req *r)
{
	struct hold_view h;
	int64_t hold_id = 0;
	enum bo_status s;
	struct idem k;
	int already = 0;

	memset(&h, 0, sizeof h);
	if (!api_idem_begin(r, &k, HTTP_201))
		return;
	if (k.result == IDEM_NEW && !pay(r, &k, &hold_id, &already, &h))
		return;
	if (!api_idem_answer(r, &k))
		return;
	/* Paid now: as read in its own transaction (a read after the commit
	 * could fail, with the money taken). Replayed: the payment and its
	 * seat as they are now. Paid before under no key, or another: the
	 * same payment, 200. */
	if (!already)
		hold_id = idem_ref(&k, IDEM_REF_HOLD);
	s = h.id != 0 ? BO_OK : hold_get(r->db, &r->arena, hold_id,
	    r->session.user_id, r->now, &h);
	if (s != BO_OK)
		api_outcome(r, &HOLD_GET_OUTCOMES, s);
	else if (already)
		api_send(r, HTTP_200, payment_json(&h));
	else
		api_idem_send(r, &k, payment_json(&h));
}

void
api_bookings(struct req *r)
{
	struct booking *b;
	struct keyset k;
	enum bo_status s;
	json_t *arr;
	size_t n;

	if (!api_keyset(r, &k))
		return;
	if ((s = bookings_list(r->db, &r->arena, r->session.user_id, &k, &b, &n)) != BO_OK) {
		api_status(r, s);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:s}",
		    "paymentId", (json_int_t)b[i].payment_id,
		    "reservationId", (json_int_t)b[i].hold_id,
		    "performanceId", (json_int_t)b[i].performance_id,
		    "concert", json_text(b[i].concert_title),
		    "venue", json_text(b[i].venue),
		    "section", json_text(b[i].section), "row", json_text(b[i].row),
		    "number", (json_int_t)b[i].number, "amount", (json_int_t)b[i].amount,
		    "paidAt", (json_int_t)b[i].paid_at,
		    /* canonical: as the QR code has it, what the door reads */
		    "ticketCode", b[i].ticket_code);

		/* A refunded or cancelled ticket: its seat is no longer the
		 * buyer's, and its amount went back to the balance. */
		if (b[i].refunded_at != 0)
			json_object_set_new(o, "refundedAt",
			    json_integer(b[i].refunded_at));
		json_array_append_new(arr, o);
	}
	api_send(r, HTTP_200, json_pack("{s:o, s:o}", "bookings", arr,
	    "nextCursor", api_next_cursor(&k)));
}
