/*
 * payment.h — paying for a held seat, and the buyer's bookings.
 *
 * One transaction debits the price, writes the payment and the ledger row,
 * marks the seat PAID (sold) and, when the buyer holds nothing more of the
 * concert, ends the queue ticket (DONE), which frees a slot for the next
 * buyer in line. Paying twice pays once.
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
	int64_t payment_id, amount, paid_at, hold_id;
	const char *section, *row;
	int64_t number, performance_id, starts_at;
	const char *concert_title, *venue;
	/* The seat's ticket (011_operator.sql): what opens the door. */
	int64_t ticket_id;
	const char *ticket_code;  /* canonical */
	int64_t refunded_at;      /* 0: not refunded; its code is dead if set */
	int64_t cancelled_at;     /* the performance's; 0: not cancelled */
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
/* payment_pay, and *out is the hold as the payment leaves it (PAID, with
 * its payment id; strings in a), read inside the same transaction: an
 * answer made from it needs no read after the commit, which could fail
 * (I/O, memory) with the money already taken. out->id is 0 when this
 * call neither paid nor found it paid (a refusal, or k settled). */
enum bo_status payment_pay_view(struct db *db, struct arena *a,
    int64_t hold_id, int64_t user_id, int64_t now, struct idem *k,
    int *already, struct hold_view *out);

/* One page of the buyer's paid seats with their tickets, refunded ones
 * too (refunded_at), newest payment first (keyset.h: by payment id;
 * k->next is the next, older page, 0 when this is the last); rows and
 * strings in a. */
enum bo_status bookings_list(struct db *db, struct arena *a, int64_t user_id,
    struct keyset *k, struct booking **out, size_t *n);

#endif
