/*
 * wallet.c — charging and reading the wallet (see wallet.h).
 */
#include "wallet.h"

#include "parse.h"

#include <stdint.h>
#include <string.h>

enum bo_status
wallet_move_locked(struct db *db, int64_t user, int64_t amount, int64_t hold_id,
    const char *key, int64_t now, int64_t *balance)
{
	sqlite3_stmt *st = db_stmt(db, STMT_USER_BALANCE);
	int64_t current = 0;
	int rc;

	db_bind_int(st, 1, user);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		current = sqlite3_column_int64(st, 0);
	db_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "wallet_move");
	if (amount < 0 && current < -amount)
		return BO_INSUFFICIENT;
	if (amount > 0 && current > INT64_MAX - amount)
		return BO_LIMIT; /* the amount is fine; the balance is full */
	*balance = current + amount;
	/* The ledger's triggers check the chain and move user.balance. */
	st = db_stmt(db, STMT_LEDGER_INSERT);
	db_bind_int(st, 1, user);
	db_bind_text(st, 2, hold_id ? "PAYMENT" : "CHARGE");
	db_bind_int(st, 3, amount);
	db_bind_int(st, 4, *balance);
	if (hold_id)
		db_bind_int(st, 5, hold_id);
	if (key)
		db_bind_text(st, 6, key);
	db_bind_int(st, 7, now);
	rc = sqlite3_step(st);
	db_reset(st);
	return db_status(db, rc, "wallet_move");
}

/* wallet_charge() and wallet_charge_idem(): key is the ledger row's key
 * (NULL: none), k the Idempotency-Key record (NULL: none; its key is key). */
static enum bo_status
charge(struct db *db, int64_t user, int64_t amount, int64_t max_charge,
    const char *key, struct idem *k, int64_t now, int64_t *balance,
    int *replayed)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	*replayed = 0;
	if (amount < 1 || amount > max_charge || (key != NULL && !parse_key(key, WALLET_KEY_MAX)))
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k)) {
		db_rollback(db);
		*replayed = s == BO_OK && k->result == IDEM_REPLAY;
		return s;
	}
	if (key != NULL) {
		int64_t ledger_id = 0;

		/* The key is also the ledger row's, for ever: a charge whose
		 * record is gone (older than a day) still happens once. */
		st = db_stmt(db, STMT_LEDGER_BY_KEY);
		db_bind_int(st, 1, user);
		db_bind_text(st, 2, key);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			/* A replay answers as the first call did. */
			*replayed = 1;
			ledger_id = sqlite3_column_int64(st, 0);
			s = sqlite3_column_int64(st, 1) == amount ? BO_OK :
			    BO_KEY_REUSED;
			*balance = sqlite3_column_int64(st, 2);
		} else if (rc != SQLITE_DONE) {
			s = db_status(db, rc, "wallet_charge");
		}
		db_reset(st);
		if (*replayed || s != BO_OK) {
			db_rollback(db);
			if (s == BO_OK && k != NULL) {
				k->result = IDEM_REPLAY;
				k->first_status = k->status;
				idem_add_ref(k, IDEM_REF_LEDGER, ledger_id);
			}
			return s;
		}
	}
	if ((s = wallet_move_locked(db, user, amount, 0, key, now, balance)) != BO_OK) {
		db_rollback(db);
		return s;
	}
	idem_add_ref(k, IDEM_REF_LEDGER, sqlite3_last_insert_rowid(db->handle));
	return idem_commit(db, user, k, now);
}

enum bo_status
wallet_charge(struct db *db, int64_t user, int64_t amount, int64_t max_charge,
    const char *key, int64_t now, int64_t *balance, int *replayed)
{
	return charge(db, user, amount, max_charge, key, NULL, now, balance,
	    replayed);
}

enum bo_status
wallet_charge_idem(struct db *db, int64_t user, int64_t amount,
    int64_t max_charge, struct idem *k, int64_t now, int64_t *balance)
{
	int replayed;

	return charge(db, user, amount, max_charge, k->key, k, now, balance,
	    &replayed);
}

enum bo_status
wallet_ledger_get(struct db *db, int64_t user, int64_t id,
    struct ledger_row *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LEDGER_GET);
	int rc;

	memset(out, 0, sizeof *out);
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, user);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->payment = strcmp(db_col_text(st, 1), "PAYMENT") == 0;
		out->amount = sqlite3_column_int64(st, 2);
		out->balance_after = sqlite3_column_int64(st, 3);
		out->created_at = sqlite3_column_int64(st, 4);
		out->hold_id = sqlite3_column_int64(st, 5);
	}
	db_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "wallet_ledger_get");
}

enum bo_status
wallet_history(struct db *db, struct arena *a, int64_t user, int64_t *balance,
    struct ledger_row **rows, size_t *n)
{
	sqlite3_stmt *st;
	enum bo_status s;
	size_t cap = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	*balance = 0;
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_USER_BALANCE);
	db_bind_int(st, 1, user);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*balance = sqlite3_column_int64(st, 0);
	db_reset(st);
	/* A failed balance read stops here: no page with a wrong balance. */
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		st = db_stmt(db, STMT_LEDGER_LIST);
		db_bind_int(st, 1, user);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct ledger_row *l = arena_push(a, (void **)rows, n,
			    &cap, sizeof *l);

			l->id = sqlite3_column_int64(st, 0);
			l->payment = strcmp(db_col_text(st, 1), "PAYMENT") == 0;
			l->amount = sqlite3_column_int64(st, 2);
			l->balance_after = sqlite3_column_int64(st, 3);
			l->created_at = sqlite3_column_int64(st, 4);
			l->hold_id = sqlite3_column_int64(st, 5);
		}
		db_reset(st);
	}
	if ((s = db_status(db, rc, "wallet_history")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}
