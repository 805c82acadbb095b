/*
 * payment.h — paying for held seats, one or several (an order's), and the
 * buyer's bookings.
 *
 * One transaction writes the payment and its one ledger debit (the total),
 * marks every seat PAID (sold; each names the payment) and, when the buyer
 * holds nothing more of the concert, ends the queue ticket (DONE), which
 * frees a slot for the next buyer in line. Paying twice pays once
 * (schema/016_order_payment.sql: one debit per payment).
 */
#ifndef BOXOFFICE_PAYMENT_H
#define BOXOFFICE_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "hold.h"
#include "idempotency.h"
#include "keyset.h"

struct booking {
	int64_t payment_id;
	int64_t amount;    /* what this seat cost in its payment */
	int64_t paid_at, hold_id;
	const char *section, *row;
	int64_t number, performance_id, starts_at;
	const char *concert_title, *venue;
	/* The seat's ticket (011_operator.sql): what opens the door. */
	int64_t ticket_id;
	const char *ticket_code;  /* canonical */
	int64_t refunded_at;      /* 0: not refunded; its code is dead if set */
	int64_t cancelled_at;     /* the performance's; 0: not cancelled */
	/* Its admission at the door (checkin.h): when, 0 if never; and
	 * which door ("" if never). A used ticket is not cancelled. */
	int64_t used_at;
	const char *door;
};

/*
 * Pays hold_id. BO_OK with *already = 1 when it was paid before (nothing
 * changes, nothing is recorded under k). BO_GONE: the hold lapsed or was
 * released. BO_INSUFFICIENT: the balance is short (the hold is kept).
 * BO_NOT_FOUND / BO_FORBIDDEN: no such hold / another buyer's.
 *
 * Paying needs no queue turn: a live hold carries the right to pay until
 * it lapses, even after the turn has ended (README, "The queue turn and
 * your holds").
 *
 * k (NULL when the request has no Idempotency-Key) is looked up and
 * recorded in the same transaction (idempotency.h): on BO_OK check
 * k->result; only IDEM_NEW paid (k's IDEM_REF_PAYMENT and IDEM_REF_HOLD).
 */
enum bo_status payment_pay(struct db *db, int64_t hold_id, int64_t user_id,
    int64_t now, struct idem *k, int64_t *payment_id, int *already);

/* The most holds one payment pays (an order's seats). */
#define ORDER_PAY_MAX (IDEM_REFS_MAX - 1)

struct payment_view {
	int64_t payment_id, amount, paid_at;
	struct hold_view *holds;  /* as the payment leaves (or found) them */
	size_t n;
};

/*
 * Pays the n distinct holds together: one payment, one debit of their
 * total in the ledger, every seat PAID, the queue turns ended where the
 * buyer holds nothing more, in one transaction; all or none. BO_OK with
 * *already = 1 when all of them were paid before by one payment (nothing
 * changes; out is that payment). BO_GONE: one lapsed, was released, or
 * was paid apart from the others (nothing paid). BO_INSUFFICIENT: the
 * balance is short of the total (the holds are kept). BO_INVALID: n is 0,
 * more than ORDER_PAY_MAX, or a hold twice. BO_NOT_FOUND / BO_FORBIDDEN:
 * no such hold / another buyer's. k as payment_pay (refs: the payment,
 * then each hold). out->payment_id is 0 when this call neither paid nor
 * found them paid; strings in a.
 */
enum bo_status payment_pay_holds(struct db *db, struct arena *a,
    const int64_t *holds, size_t n, int64_t user_id, int64_t now,
    struct idem *k, int *already, struct payment_view *out);

/* One page of the buyer's paid seats with their tickets, refunded ones
 * too (refunded_at), and their admission at the door (used_at, door), as
 * of now: by show, the next show first (the shows begun more than
 * CHECKIN_SHOW_HOURS ago after all others, the latest first), seats in
 * hall order within a show (keyset.h: the cursor is the last seat's hold
 * id, k->next the next page's, 0 when this is the last); rows and
 * strings in a. */
enum bo_status bookings_list(struct db *db, struct arena *a, int64_t user_id,
    int64_t now, struct keyset *k, struct booking **out, size_t *n);

#endif
