/*
 * wallet.h — a buyer's balance and its ledger.
 *
 * Every change of balance is one ledger row, with the balance it leaves;
 * the schema's triggers check each row against the one before and move
 * user.balance with it, and refuse anything else (004_wallet.sql). So the
 * balance is the sum of the ledger, always, and never negative.
 */
#ifndef BOXOFFICE_WALLET_H
#define BOXOFFICE_WALLET_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "idempotency.h"
#include "keyset.h"

#define WALLET_KEY_MAX 64

/* What a ledger row is; the schema's CHECK lists the same names
 * (014_refund.sql). */
enum ledger_kind {
	LEDGER_CHARGE,   /* a top-up: amount > 0, no hold */
	LEDGER_PAYMENT,  /* seats paid: amount <= 0, its payment */
	LEDGER_REFUND,   /* a paid seat given back: amount >= 0, its hold */
	LEDGER__MAX
};

/* The kind's name as stored ("CHARGE"…); static storage. */
const char *ledger_kind_name(enum ledger_kind k);
/* What a person reads for it: "top-up", "payment", "refund", or
 * "Top-up"… with capital set. The wallet, the operator's buyer lookup and
 * the command line say it alike. Static storage. */
const char *ledger_kind_words(enum ledger_kind k, int capital);

struct ledger_row {
	int64_t id;
	enum ledger_kind kind;
	int64_t amount;       /* signed: + charge or refund, - payment */
	int64_t balance_after, created_at;
	int64_t hold_id;      /* the seat refunded, or paid (the first seat
	                       * of a payment of several); 0 for a charge */
	const char *concert_title; /* that seat's concert; "" for a charge
	                            * (and from wallet_ledger_get) */
	int64_t seats;        /* the seats it is about: a payment's count (an
	                       * order's), 1 for a refund, 0 for a charge */
	int64_t order_id;     /* a payment's order, when its seats were held
	                       * as one (hold_order); else 0 */
};

/*
 * Adds amount (1..max_charge) to the balance. key, when not NULL, makes the
 * charge happen once: a second call with the same key changes nothing and
 * answers as the first, with the balance the first left (*replayed = 1),
 * or BO_KEY_REUSED if its amount differs. BO_INVALID for an amount out of
 * range or a bad key; BO_LIMIT when the balance would pass the largest
 * we can keep (INT64_MAX); nothing changes then.
 */
enum bo_status wallet_charge(struct db *db, int64_t user_id, int64_t amount,
    int64_t max_charge, const char *key, int64_t now, int64_t *balance,
    int *replayed);

/*
 * The same charge for the API, under its Idempotency-Key k (k->key NULL:
 * none). k->key is also the ledger row's key, and k is looked up and
 * recorded in the charge's own transaction (idempotency.h). On BO_OK
 * check k->result: IDEM_NEW charged (*balance, and the new row as k's
 * IDEM_REF_LEDGER); IDEM_REPLAY was charged before (its row in k's refs;
 * *balance untouched). BO_KEY_REUSED: the key's ledger row has another
 * amount.
 */
enum bo_status wallet_charge_idem(struct db *db, int64_t user_id,
    int64_t amount, int64_t max_charge, struct idem *k, int64_t now,
    int64_t *balance);

/* One of the buyer's ledger rows. BO_NOT_FOUND: none with that id. */
enum bo_status wallet_ledger_get(struct db *db, int64_t user_id, int64_t id,
    struct ledger_row *out);

/* The balance and one page of the ledger, newest first (keyset.h: k->next
 * is set to the next, older page, 0 when this is the last), in one read.
 * Rows and strings in a. */
enum bo_status wallet_history(struct db *db, struct arena *a, int64_t user_id,
    struct keyset *k, int64_t *balance, struct ledger_row **rows, size_t *n);

/* Inside a write transaction: moves the balance by amount and writes its
 * ledger row of kind, naming ref: nothing for a CHARGE (0), the payment
 * for a PAYMENT (schema/016_order_payment.sql: one debit per payment), the
 * hold it pays back for a REFUND; used by payment.c and refund.c too);
 * *ledger_id, when
 * not NULL, is the new row's id (0 when none was written).
 * BO_INSUFFICIENT when it would go below zero, BO_LIMIT above
 * INT64_MAX. */
enum bo_status wallet_move_locked(struct db *db, int64_t user_id,
    enum ledger_kind kind, int64_t amount, int64_t ref, const char *key,
    int64_t now, int64_t *balance, int64_t *ledger_id);

#endif
