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

#define WALLET_KEY_MAX 64

struct ledger_row {
	int64_t id;
	int payment;          /* 0: CHARGE, 1: PAYMENT */
	int64_t amount;       /* signed: + charge, - payment */
	int64_t balance_after, created_at, hold_id;
};

/*
 * Adds amount (1..max_charge) to the balance. key, when not NULL, makes the
 * charge happen once: a second call with the same key changes nothing and
 * answers as the first, with the balance the first left (*replayed = 1),
 * or BO_CONFLICT if its amount
 * differs. BO_INVALID for an amount out of range or a bad key; BO_LIMIT
 * when the balance would pass the largest we can keep (INT64_MAX);
 * nothing changes then.
 */
enum bo_status wallet_charge(struct db *db, int64_t user_id, int64_t amount,
    int64_t max_charge, const char *key, int64_t now, int64_t *balance,
    int *replayed);

/* The balance and the whole ledger, newest first, in one read. */
enum bo_status wallet_history(struct db *db, struct arena *a, int64_t user_id,
    int64_t *balance, struct ledger_row **rows, size_t *n);

/* Inside a write transaction: moves the balance by amount and writes its
 * ledger row (used by payment.c too). BO_INSUFFICIENT when it would go
 * below zero, BO_LIMIT above INT64_MAX. */
enum bo_status wallet_move_locked(struct db *db, int64_t user_id, int64_t amount,
    int64_t hold_id, const char *key, int64_t now, int64_t *balance);

#endif
