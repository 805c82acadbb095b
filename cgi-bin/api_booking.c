/*
 * api_booking.c — reserving a seat, paying, and tickets.
 *
 * POST /api/v1/reservations   {"performanceId","seatId"}, X-Queue-Token,
 *        Idempotency-Key (optional) → 201 {"reservationId","expiresAt",…};
 *        409 seat_taken | hold_limit; 404; 410 sale_closed; 403 not_admitted.
 *        {"performanceId","seatIds":[…]} holds them all or none as one
 *        order → 201 {"orderId","reservations":[…],"expiresAt","total"};
 *        409 seat_taken names the taken ones in "seatIds"; seatId and
 *        seatIds together → 422. {"performanceId","section","count"}:
 *        best available, the same answer; 409 no_adjacent_seats.
 * GET  /api/v1/reservations/{id}  → the reservation and its state
 * POST /api/v1/payments       {"reservationId"}, Idempotency-Key (optional)
 *        → 201 {"paymentId","status":"paid",…}; 402 insufficient_balance;
 *        {"reservationIds":[…]} pays them together, all or none: one
 *        payment, one debit → 201 {"paymentId","status","reservationIds",
 *        "amount","reservations"}; a lapsed one → 410, nothing paid;
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
#include "order.h"
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

/* An order as the API answers it: every seat, and the one deadline. */
static json_t *
order_json(const struct order_view *o)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < o->n; i++)
		json_array_append_new(arr, hold_json(&o->holds[i]));
	return json_pack("{s:I, s:o, s:I, s:I}", "orderId", (json_int_t)o->id,
	    "reservations", arr, "expiresAt", (json_int_t)o->expires_at,
	    "total", (json_int_t)(o->total + o->paid_total));
}

/* What a reservation's body asks for: one seat, named seats, or the best
 * seats of a section. */
struct reserve_ask {
	json_int_t perf, seat, count;
	int64_t *seats;
	size_t n;
	const char *section;  /* in the arena */
};

/* Reads the body into *ask; 0 when a refusal (400, 422) was answered. */
static int
reserve_body(struct req *r, struct reserve_ask *ask)
{
	json_t *body, *ids = NULL, *v;
	const char *section = NULL;
	size_t i;
	int ok;

	memset(ask, 0, sizeof *ask);
	if ((body = api_body(r)) == NULL)
		return 0;
	if (json_object_get(body, "seatIds") != NULL &&
	    json_object_get(body, "seatId") != NULL) {
		json_decref(body);
		api_error(r, HTTP_422, "invalid_field", "Send seatId or seatIds, "
		    "not both.");
		return 0;
	}
	if (json_object_get(body, "seatIds") != NULL)
		ok = api_unpack(r, body, "{s:I, s:o}", "performanceId", &ask->perf,
		    "seatIds", &ids);
	else if (json_object_get(body, "section") != NULL ||
	    json_object_get(body, "count") != NULL)
		ok = api_unpack(r, body, "{s:I, s:s, s:I}", "performanceId",
		    &ask->perf, "section", &section, "count", &ask->count);
	else
		ok = api_unpack(r, body, "{s:I, s:I}", "performanceId", &ask->perf,
		    "seatId", &ask->seat);
	if (ok && ids != NULL) {
		if (!json_is_array(ids) || json_array_size(ids) == 0 ||
		    json_array_size(ids) > ORDER_MAX_SEATS) {
			ok = 0;
		} else {
			ask->seats = arena_alloc(&r->arena,
			    json_array_size(ids) * sizeof *ask->seats);
			json_array_foreach(ids, i, v) {
				if (!json_is_integer(v) || json_integer_value(v) < 1) {
					ok = 0;
					break;
				}
				ask->seats[ask->n++] = json_integer_value(v);
			}
		}
		if (!ok)
			api_error(r, HTTP_422, "invalid_field", "seatIds must be an "
			    "array of 1 to 38 seat ids.");
	}
	if (ok && section != NULL)
		ask->section = arena_strdup(&r->arena, section);
	json_decref(body);
	return ok;
}

/* Holds what the body asks for; 1 when the core operation answered BO_OK
 * (k says what happened; *h or *o is what this request made, read in its
 * own transaction, or its id is 0), 0 when a refusal was answered. */
static int
reserve(struct req *r, struct idem *k, struct hold_view *h,
    struct order_view *o)
{
	struct order_refusal why;
	struct reserve_ask ask;
	struct performance p;
	struct concert c;
	enum bo_status s;

	if (!reserve_body(r, &ask))
		return 0;
	s = ask.perf > 0 ? catalog_performance(r->db, &r->arena, ask.perf,
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
	if (ask.section != NULL) {
		s = order_best(r->db, &r->arena, ask.perf, ask.section, ask.count,
		    r->session.user_id, r->now, req_settings(r), k, o);
		if (s != BO_OK)
			api_outcome(r, &BEST_OUTCOMES, s);
	} else if (ask.seats != NULL) {
		s = order_create(r->db, &r->arena, ask.perf, ask.seats, ask.n,
		    r->session.user_id, r->now, req_settings(r), k, o, &why);
		if (s == BO_CONFLICT) {
			json_t *taken = json_array();

			for (size_t i = 0; i < why.ntaken; i++)
				json_array_append_new(taken,
				    json_integer(why.taken[i]));
			api_outcome_with(r, &ORDER_OUTCOMES, s, "seatIds", taken);
		} else if (s != BO_OK) {
			api_outcome(r, &ORDER_OUTCOMES, s);
		}
	} else {
		s = ask.seat > 0 ? hold_create_view(r->db, &r->arena, ask.perf,
		    ask.seat, r->session.user_id, r->now, req_settings(r), k, h) :
		    BO_NOT_FOUND;
		if (s != BO_OK)
			api_outcome(r, &HOLD_OUTCOMES, s);
	}
	return s == BO_OK;
}

void
api_reservation_create(struct req *r)
{
	struct order_view o;
	struct hold_view h;
	enum bo_status s;
	struct idem k;
	int64_t order_id = 0;

	memset(&h, 0, sizeof h);
	memset(&o, 0, sizeof o);
	if (!api_idem_begin(r, &k, HTTP_201))
		return;
	if (k.result == IDEM_NEW && !reserve(r, &k, &h, &o))
		return;
	if (!api_idem_answer(r, &k))
		return;
	/* Made now: as read in its own transaction (a read after the commit
	 * could fail, with the seats held). Replayed: as it is now; a hold
	 * made in an order answers its order. */
	if (o.id != 0) {
		api_idem_send(r, &k, order_json(&o));
		return;
	}
	if (h.id == 0 && (s = order_of_hold(r->db, idem_ref(&k, IDEM_REF_HOLD),
	    &order_id)) == BO_OK && order_id != 0) {
		if ((s = order_get(r->db, &r->arena, order_id, r->session.user_id,
		    r->now, &o)) != BO_OK)
			api_outcome(r, &ORDER_GET_OUTCOMES, s);
		else
			api_idem_send(r, &k, order_json(&o));
		return;
	}
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

/* A payment of several reservations as the API answers it. */
static json_t *
payment_many_json(const struct payment_view *v)
{
	json_t *ids = json_array(), *all = json_array();

	for (size_t i = 0; i < v->n; i++) {
		json_array_append_new(ids, json_integer(v->holds[i].id));
		json_array_append_new(all, hold_json(&v->holds[i]));
	}
	return json_pack("{s:I, s:s, s:o, s:I, s:o}",
	    "paymentId", (json_int_t)v->payment_id, "status", "paid",
	    "reservationIds", ids, "amount", (json_int_t)v->amount,
	    "reservations", all);
}

/* What a payment's body names: one reservation, or several. */
struct pay_ask {
	int64_t *holds;
	size_t n;
	int many;  /* "reservationIds" */
};

/* Reads the body into *ask; 0 when a refusal (400, 422) was answered. */
static int
pay_body(struct req *r, struct pay_ask *ask)
{
	json_int_t id = 0;
	json_t *body, *ids = NULL, *v;
	size_t i;
	int ok;

	memset(ask, 0, sizeof *ask);
	if ((body = api_body(r)) == NULL)
		return 0;
	if (json_object_get(body, "reservationIds") != NULL &&
	    json_object_get(body, "reservationId") != NULL) {
		json_decref(body);
		api_error(r, HTTP_422, "invalid_field", "Send reservationId or "
		    "reservationIds, not both.");
		return 0;
	}
	ask->many = json_object_get(body, "reservationIds") != NULL;
	if (ask->many)
		ok = api_unpack(r, body, "{s:o}", "reservationIds", &ids);
	else
		ok = api_unpack(r, body, "{s:I}", "reservationId", &id);
	if (ok && !ask->many) {
		ask->holds = arena_alloc(&r->arena, sizeof *ask->holds);
		ask->holds[ask->n++] = id;
	} else if (ok) {
		if (!json_is_array(ids) || json_array_size(ids) == 0 ||
		    json_array_size(ids) > ORDER_PAY_MAX) {
			ok = 0;
		} else {
			ask->holds = arena_alloc(&r->arena,
			    json_array_size(ids) * sizeof *ask->holds);
			json_array_foreach(ids, i, v) {
				if (!json_is_integer(v) || json_integer_value(v) < 1) {
					ok = 0;
					break;
				}
				ask->holds[ask->n++] = json_integer_value(v);
			}
		}
		if (!ok)
			api_error(r, HTTP_422, "invalid_field", "reservationIds must "
			    "be an array of 1 to 39 different reservation ids.");
	}
	json_decref(body);
	return ok;
}

void
api_payment_create(struct req *r)
{
	struct payment_view v;
	struct pay_ask ask;
	enum bo_status s;
	struct idem k;
	int already = 0;

	memset(&v, 0, sizeof v);
	memset(&ask, 0, sizeof ask);
	if (!api_idem_begin(r, &k, HTTP_201))
		return;
	if (k.result == IDEM_NEW) {
		if (!pay_body(r, &ask))
			return;
		s = ask.holds[0] > 0 ? payment_pay_holds(r->db, &r->arena,
		    ask.holds, ask.n, r->session.user_id, r->now, &k, &already,
		    &v) : BO_NOT_FOUND;
		if (s != BO_OK) {
			api_outcome(r, &PAY_OUTCOMES, s);
			return;
		}
	}
	if (!api_idem_answer(r, &k))
		return;
	/* Paid now, or found paid: as read in its own transaction (a read
	 * after the commit could fail, with the money taken). Replayed: the
	 * payment and its seats as they are now. */
	if (v.payment_id == 0) {
		size_t n = 0;

		/* The same body as the first time (its hash matched): which
		 * form it was decides the answer's shape. */
		if (k.result == IDEM_REPLAY && !pay_body(r, &ask))
			return;

		memset(&v, 0, sizeof v);
		v.holds = arena_alloc(&r->arena, k.nrefs * sizeof *v.holds + 1);
		for (size_t i = 0; i < k.nrefs; i++) {
			if (k.refs[i].kind == IDEM_REF_PAYMENT)
				v.payment_id = k.refs[i].id;
			if (k.refs[i].kind != IDEM_REF_HOLD)
				continue;
			if ((s = hold_get(r->db, &r->arena, k.refs[i].id,
			    r->session.user_id, r->now, &v.holds[n])) != BO_OK) {
				api_outcome(r, &HOLD_GET_OUTCOMES, s);
				return;
			}
			v.amount += v.holds[n++].price;
		}
		v.n = n;
		ask.many = ask.many || n > 1;
	}
	if (v.n == 0) { /* a record without its seats: not one of ours */
		api_status(r, BO_ERROR);
		return;
	}
	/* The single form answers as it always did. */
	if (already)
		api_send(r, HTTP_200, ask.many ? payment_many_json(&v) :
		    payment_json(&v.holds[0]));
	else
		api_idem_send(r, &k, ask.many ? payment_many_json(&v) :
		    payment_json(&v.holds[0]));
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
	if ((s = bookings_list(r->db, &r->arena, r->session.user_id, r->now,
	    &k, &b, &n)) != BO_OK) {
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
