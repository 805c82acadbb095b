/*
 * order.h — several seats held together, as one order, and given back.
 *
 * An order is made in one BEGIN IMMEDIATE transaction: every seat is held
 * or none is (schema/012_orders.sql). Each seat is still a hold (hold.h),
 * so the partial UNIQUE index of hold keeps forbidding two live claims on
 * a seat; the order gives them one deadline, set when it is made and never
 * extended (the schema refuses a later one). The seats are either named
 * (a pick on the seat map, "seatIds" in the API) or chosen inside the
 * same transaction (best available), so two buyers never get one seat.
 */
#ifndef BOXOFFICE_ORDER_H
#define BOXOFFICE_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "hold.h"
#include "idempotency.h"
#include "setting.h"

/* The most seats one order may hold, whatever max_holds says: an order's
 * Idempotency-Key record keeps one id per seat and its payment. */
#define ORDER_MAX_SEATS (IDEM_REFS_MAX - 2)

struct order_view {
	int64_t id, user_id, performance_id, concert_id, starts_at;
	int64_t created_at, expires_at;
	const char *concert_title, *venue;
	struct hold_view *holds;  /* every seat of the order, by seat */
	size_t n;
	size_t held, paid;        /* how many are HELD (live) and PAID now */
	int64_t total;            /* the price of the seats held now */
	int64_t paid_total;       /* what the paid seats cost */
};

/* What a refused order says beyond its status: the seats that were
 * already taken (BO_CONFLICT of order_create), in the arena. */
struct order_refusal {
	int64_t *taken;
	size_t ntaken;
};

/*
 * Holds the n distinct seats for the buyer, all or none, in one order.
 * BO_INVALID: n is 0 or more than ORDER_MAX_SEATS, or a seat twice.
 * BO_NOT_FOUND: a seat is not of that performance (or no such
 * performance). BO_GONE: its sale is not open. BO_FORBIDDEN: no ACTIVE
 * queue turn. BO_LIMIT: max_holds would be passed. BO_CONFLICT: some
 * seats are taken, named in why->taken (nothing is held).
 *
 * k as hold_create (hold.h): on BO_OK check k->result; only IDEM_NEW made
 * the order (*out, strings in a, read inside the transaction; k's
 * IDEM_REF_HOLD refs, one per seat). out->id is 0 otherwise.
 */
enum bo_status order_create(struct db *db, struct arena *a, int64_t perf,
    const int64_t *seats, size_t n, int64_t user, int64_t now,
    const struct settings *set, struct idem *k, struct order_view *out,
    struct order_refusal *why);

/*
 * Best available: holds count adjacent free seats of the section in one
 * order, chosen inside the transaction: the front-most row (rows in the
 * order they were added) that has count adjacent free seats, as near the
 * row's middle as possible. BO_NOT_FOUND: no such section in the
 * performance. BO_CONFLICT: no row has count adjacent free seats. The
 * rest as order_create.
 */
enum bo_status order_best(struct db *db, struct arena *a, int64_t perf,
    const char *section, int64_t count, int64_t user, int64_t now,
    const struct settings *set, struct idem *k, struct order_view *out);

/*
 * The web's one basket per date (review 10 item 3: best available and
 * seats picked by hand made two orders, two deadlines, two payments):
 * order_create and order_best, except that when the buyer already has a
 * live order of the date (a seat of it still held), the new seats join
 * that order, inside the same transaction, at its deadline — never a
 * later one (the schema refuses it) — and *out is the whole order. With
 * none, a new order as before. No Idempotency-Key: the API keeps its
 * separate reservations (order_create, order_best).
 */
enum bo_status order_add(struct db *db, struct arena *a, int64_t perf,
    const int64_t *seats, size_t n, int64_t user, int64_t now,
    const struct settings *set, struct order_view *out,
    struct order_refusal *why);
enum bo_status order_add_best(struct db *db, struct arena *a, int64_t perf,
    const char *section, int64_t count, int64_t user, int64_t now,
    const struct settings *set, struct order_view *out);

/* The order with its seats, as of now; strings in a. BO_NOT_FOUND when
 * there is none, BO_FORBIDDEN when it is another buyer's. */
enum bo_status order_get(struct db *db, struct arena *a, int64_t order_id,
    int64_t user, int64_t now, struct order_view *out);

/* The order a hold belongs to (0: none). */
enum bo_status order_of_hold(struct db *db, int64_t hold_id, int64_t *order_id);

/* Gives back every seat of the order still held, at once. BO_GONE when
 * none is held any more (paid, released or lapsed); BO_NOT_FOUND /
 * BO_FORBIDDEN as order_get. */
enum bo_status order_release(struct db *db, int64_t order_id, int64_t user,
    int64_t now);

#endif
