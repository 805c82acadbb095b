/*
 * hold.h — holding a seat for a few minutes, and giving it back.
 *
 * A hold is a buyer's claim on one seat for hold_seconds. The database
 * forbids two live claims on a seat (the partial UNIQUE index of hold);
 * every operation runs in one BEGIN IMMEDIATE transaction against
 * committed state, treating a HELD row whose expires_at has passed as free
 * (lazy expiry; what "live" means is core/live.h). A hold is never
 * extended.
 */
#ifndef BOXOFFICE_HOLD_H
#define BOXOFFICE_HOLD_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "idempotency.h"
#include "setting.h"

enum hold_state { HOLD_HELD, HOLD_PAID, HOLD_RELEASED, HOLD_EXPIRED };

struct hold_view {
	int64_t id, user_id, price, created_at, expires_at;
	enum hold_state state;        /* as of now: a lapsed HELD is EXPIRED */
	const char *section, *row;
	int64_t number;
	int64_t performance_id, starts_at, concert_id;
	const char *concert_title, *venue;
	int64_t payment_id, paid_at;  /* when PAID (and when refunded) */
	int64_t refunded_at;          /* RELEASED after being paid: refunded
	                               * or cancelled then (refund.h); else 0 */
	/* The seat's ticket once paid (the schema makes it with the
	 * payment): its id and canonical code; 0 and "" before. */
	int64_t ticket_id;
	const char *ticket_code;
};

/*
 * Holds seat for the buyer. BO_NOT_FOUND: no such seat in that
 * performance. BO_GONE: its sale is not open. BO_FORBIDDEN: the buyer has
 * no ACTIVE queue ticket for the concert. BO_LIMIT: max_holds live holds
 * already. BO_CONFLICT: someone else holds or bought it.
 *
 * k (NULL when the request has no Idempotency-Key) is looked up and
 * recorded in the same transaction (idempotency.h): on BO_OK check
 * k->result; only IDEM_NEW made a hold (*hold_id, and k's IDEM_REF_HOLD).
 */
enum bo_status hold_create(struct db *db, int64_t performance_id,
    int64_t seat_id, int64_t user_id, int64_t now, const struct settings *set,
    struct idem *k, int64_t *hold_id);
/* hold_create, and *out is the new hold (strings in a) read inside the
 * same transaction: an answer made from it needs no read after the
 * commit, which could fail (I/O, memory) with the seat already held.
 * out->id is 0 when this call made no hold (a refusal, or k settled). */
enum bo_status hold_create_view(struct db *db, struct arena *a,
    int64_t performance_id, int64_t seat_id, int64_t user_id, int64_t now,
    const struct settings *set, struct idem *k, struct hold_view *out);

struct performance;

/* Inside a write transaction (hold.c, order.c): may the buyer hold count
 * more seats of p (its id and sale window) of concert now? BO_GONE: the
 * sale is not open; BO_FORBIDDEN: no ACTIVE queue turn; BO_LIMIT: that
 * would pass max_holds unpaid holds of the date. */
enum bo_status hold_allowed_locked(struct db *db, const struct performance *p,
    int64_t concert, int64_t user, int64_t now, const struct settings *set,
    int64_t count);

/* One hold, with its seat, date and payment; strings in a. BO_NOT_FOUND
 * when there is none, BO_FORBIDDEN when it is another buyer's. */
enum bo_status hold_get(struct db *db, struct arena *a, int64_t hold_id,
    int64_t user_id, int64_t now, struct hold_view *out);

/* Gives the seat back at once. BO_GONE when the hold is no longer held
 * (paid, released or lapsed); BO_NOT_FOUND / BO_FORBIDDEN as hold_get. */
enum bo_status hold_release(struct db *db, int64_t hold_id, int64_t user_id,
    int64_t now);

/*
 * An operator frees a seat someone holds but has not paid (a buyer who
 * walked away from the counter, a hold made by mistake): the seat of
 * performance perf named section, row and number. One write transaction
 * with its audit row (action "release"; before: who held it until when).
 * *holder (in a, may be NULL) gets the buyer's e-mail. BO_NOT_FOUND: no
 * such seat; BO_GONE: nobody holds it now; BO_CONFLICT: it is sold (a
 * ticket is refunded, not released).
 */
enum bo_status hold_release_seat(struct db *db, struct arena *a, int64_t perf,
    const char *section, const char *row, int64_t number,
    const struct audit_actor *who, int64_t now, const char **holder);

/* A seat the buyer has of a performance: held (live) or paid. */
struct my_seat {
	int64_t hold_id, seat_id, order_id;  /* order_id 0: a hold of its own */
	const char *section, *row;
	int64_t number, price, expires_at;
	int paid;
};

/* The buyer's live seats of a performance (HELD and not lapsed, or PAID),
 * by seat; strings in a. One indexed read: the seat map marks them as the
 * buyer's on every view. */
enum bo_status seats_mine(struct db *db, struct arena *a, int64_t user_id,
    int64_t performance_id, int64_t now, struct my_seat **out, size_t *n);

/* A seat the buyer holds and has not paid for yet, of any date. */
struct awaiting_seat {
	int64_t hold_id, order_id;  /* order_id 0: a hold of its own */
	int64_t performance_id, starts_at;
	const char *concert_title, *section, *row;
	int64_t number, price, expires_at;
};

/* The most seats holds_awaiting() reads: far more than max_holds live
 * holds a date over the dates a buyer could be shopping at once. */
#define HOLDS_AWAITING_MAX 100

/* The buyer's live unpaid holds of every date of concert (0: of every
 * concert), the first to lapse first, an order's seats together in seat
 * order; at most HOLDS_AWAITING_MAX; strings in a. My tickets' "Awaiting
 * payment"; at a concert, what leaving the queue would release
 * (queue_leave), listed on its page and the leave confirmation. */
enum bo_status holds_awaiting(struct db *db, struct arena *a, int64_t user_id,
    int64_t concert, int64_t now, struct awaiting_seat **out, size_t *n);

/* For boxoffice-expire: marks every lapsed hold EXPIRED; *n counts them. */
enum bo_status holds_expire_all(struct db *db, int64_t now, int64_t *n);

#endif
