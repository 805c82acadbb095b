/*
 * wallet.c — charging and reading the wallet (see wallet.h).
 */
#include "wallet.h"
#include "msgid.h"

#include "parse.h"
#include "sql.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

static const char *const kind_names[LEDGER__MAX] = {
	[LEDGER_CHARGE] = "CHARGE",
	[LEDGER_PAYMENT] = "PAYMENT",
	[LEDGER_REFUND] = "REFUND",
};

static const char *const kind_words[LEDGER__MAX][2] = {
	[LEDGER_CHARGE] = { N_("top-up"), N_("Top-up") },
	[LEDGER_PAYMENT] = { N_("payment"), N_("Payment") },
	[LEDGER_REFUND] = { N_("refund"), N_("Refund") },
};

const char *
ledger_kind_name(enum ledger_kind k)
{
	assert(k >= 0 && k < LEDGER__MAX);
	return kind_names[k];
}

const char *
ledger_kind_words(enum ledger_kind k, int capital)
{
	assert(k >= 0 && k < LEDGER__MAX);
	return kind_words[k][capital != 0];
}

/* The kind of a stored name; an unknown one (impossible: the CHECK)
 * reads as a charge. */
static enum ledger_kind
kind_of(const char *name)
{
	for (int k = 0; k < LEDGER__MAX; k++)
		if (strcmp(kind_names[k], name) == 0)
			return (enum ledger_kind)k;
	return LEDGER_CHARGE;
}

/*
 * The buyer's balance as user.balance keeps it: the ledger's triggers move
 * it with every row (schema/004_wallet.sql). Used by wallet_move_locked()
 * and wallet_history().
 */
enum { BAL_BALANCE, BAL__COLS };
static struct sql balance_q = SQL(BAL__COLS,
    "SELECT balance FROM user WHERE id = :user");

enum bo_status
wallet_move_locked(struct db *db, int64_t user, enum ledger_kind kind,
    int64_t amount, int64_t ref, const char *key, int64_t now,
    int64_t *balance, int64_t *ledger_id)
{
	/* The ledger's triggers check the chain and move user.balance. A
	 * debit names its payment, and its seat when it paid one (as
	 * payment.hold_id does: schema/016_order_payment.sql). */
	enum { NEW_ID, NEW__COLS };
	static struct sql insert_q = SQL(NEW__COLS,
	    "INSERT INTO ledger(user_id, kind, amount, balance_after, hold_id,"
	    " payment_id, idem_key, created_at) VALUES (:user, :kind, :amount,"
	    " :balance, coalesce(:hold, (SELECT hold_id FROM payment"
	    " WHERE id = :payment)), :payment, :key, :now) RETURNING id");
	struct sql_stmt *st = sql_prepare(db, &balance_q);
	int64_t current = 0, id = 0;
	enum bo_status s;
	int rc;

	/* The schema's CHECK again, as a contract: a charge names nothing. */
	assert((kind == LEDGER_CHARGE) == (ref == 0));
	sql_bind_int(st, ":user", user);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		current = sql_int(st, BAL_BALANCE);
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return db_status(db, rc, "wallet_move");
	if (amount < 0 && current < -amount)
		return BO_INSUFFICIENT;
	if (amount > 0 && current > INT64_MAX - amount)
		return BO_LIMIT; /* the amount is fine; the balance is full */
	*balance = current + amount;
	st = sql_prepare(db, &insert_q);
	sql_bind_int(st, ":user", user);
	sql_bind_text(st, ":kind", ledger_kind_name(kind));
	sql_bind_int(st, ":amount", amount);
	sql_bind_int(st, ":balance", *balance);
	if (kind == LEDGER_REFUND)
		sql_bind_int(st, ":hold", ref);
	else
		sql_bind_null(st, ":hold");
	if (kind == LEDGER_PAYMENT)
		sql_bind_int(st, ":payment", ref);
	else
		sql_bind_null(st, ":payment");
	if (key)
		sql_bind_text(st, ":key", key);
	else
		sql_bind_null(st, ":key");
	sql_bind_int(st, ":now", now);
	s = sql_one_int(db, st, &id);
	if (ledger_id != NULL)
		*ledger_id = s == BO_OK ? id : 0;
	return s;
}

/* wallet_charge() and wallet_charge_idem(): key is the ledger row's key
 * (NULL: none), k the Idempotency-Key record (NULL: none; its key is key). */
static enum bo_status
charge(struct db *db, int64_t user, int64_t amount, int64_t max_charge,
    const char *key, struct idem *k, int64_t now, int64_t *balance,
    int *replayed)
{
	/* The key is also the ledger row's, for ever: a charge whose
	 * record is gone (older than a day) still happens once. */
	enum { KEY_ID, KEY_AMOUNT, KEY_BALANCE, KEY__COLS };
	static struct sql key_q = SQL(KEY__COLS,
	    "SELECT id, amount, balance_after FROM ledger"
	    " WHERE user_id = :user AND idem_key = :key");
	struct sql_stmt *st;
	enum bo_status s;
	int64_t ledger_id = 0;
	int rc;

	*replayed = 0;
	if (amount < 1 || amount > max_charge || (key != NULL && !parse_key(key, WALLET_KEY_MAX)))
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = idem_look(db, user, k)) != BO_OK || idem_settled(k)) {
		db_rollback(db); /* a settled key changed nothing */
		*replayed = s == BO_OK && k->result == IDEM_REPLAY;
		return s;
	}
	if (key != NULL) {
		st = sql_prepare(db, &key_q);
		sql_bind_int(st, ":user", user);
		sql_bind_text(st, ":key", key);
		if ((rc = sql_step(st)) == SQLITE_ROW) {
			/* A replay answers as the first call did. */
			*replayed = 1;
			ledger_id = sql_int(st, KEY_ID);
			s = sql_int(st, KEY_AMOUNT) == amount ? BO_OK :
			    BO_KEY_REUSED;
			*balance = sql_int(st, KEY_BALANCE);
		} else if (rc != SQLITE_DONE) {
			s = db_status(db, rc, "wallet_charge");
		}
		sql_reset(st);
		if (*replayed || s != BO_OK) {
			db_rollback(db); /* a replay writes nothing */
			if (s == BO_OK && k != NULL) {
				k->result = IDEM_REPLAY;
				k->first_status = k->status;
				idem_add_ref(k, IDEM_REF_LEDGER, ledger_id);
			}
			return s;
		}
	}
	if ((s = wallet_move_locked(db, user, LEDGER_CHARGE, amount, 0, key, now,
	    balance, &ledger_id)) != BO_OK)
		return sql_end(db, s);
	idem_add_ref(k, IDEM_REF_LEDGER, ledger_id);
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

/*
 * A ledger row as read_row() reads it: the columns both the one row and
 * the list select, in this order, FROM LEDGER_FROM; a payment's concert
 * comes along so the history can name it.
 */
enum { ROW_ID, ROW_KIND, ROW_AMOUNT, ROW_BALANCE, ROW_CREATED, ROW_HOLD,
    ROW_CONCERT, ROW_SEATS, ROW_ORDER, ROW__COLS };
/* The seat a row is about: a refund's own, or a payment's (the first seat
 * of a payment of several, as one of one did); none for a charge. */
#define LEDGER_HOLD                                                           \
	"coalesce(l.hold_id, (SELECT min(h.id) FROM hold h"                   \
	" WHERE h.payment_id = l.payment_id))"
#define LEDGER_COLUMNS                                                        \
	"l.id, l.kind, l.amount, l.balance_after, l.created_at,"             \
	" coalesce(" LEDGER_HOLD ", 0),"                                      \
	" coalesce((SELECT c.title FROM hold h"                               \
	" JOIN performance p ON p.id = h.performance_id"                      \
	" JOIN concert c ON c.id = p.concert_id"                              \
	" WHERE h.id = " LEDGER_HOLD "), ''),"                               \
	" CASE WHEN l.payment_id IS NOT NULL THEN (SELECT count(*) FROM hold h" \
	" WHERE h.payment_id = l.payment_id)"                                 \
	" WHEN l.hold_id IS NOT NULL THEN 1 ELSE 0 END,"                      \
	" CASE WHEN l.payment_id IS NOT NULL THEN coalesce((SELECT h.order_id" \
	" FROM hold h WHERE h.id = " LEDGER_HOLD "), 0) ELSE 0 END"
#define LEDGER_FROM "ledger l"

static void
read_row(struct sql_stmt *st, struct arena *a, struct ledger_row *l)
{
	l->id = sql_int(st, ROW_ID);
	l->kind = kind_of(sql_text(st, ROW_KIND));
	l->amount = sql_int(st, ROW_AMOUNT);
	l->balance_after = sql_int(st, ROW_BALANCE);
	l->created_at = sql_int(st, ROW_CREATED);
	l->hold_id = sql_int(st, ROW_HOLD);
	l->concert_title = a != NULL ? arena_strdup(a, sql_text(st, ROW_CONCERT)) : "";
	l->seats = sql_int(st, ROW_SEATS);
	l->order_id = sql_int(st, ROW_ORDER);
}

enum bo_status
wallet_ledger_get(struct db *db, int64_t user, int64_t id,
    struct ledger_row *out)
{
	static struct sql q = SQL(ROW__COLS,
	    "SELECT " LEDGER_COLUMNS " FROM " LEDGER_FROM
	    " WHERE l.id = :id AND l.user_id = :user");
	struct sql_stmt *st = sql_prepare(db, &q);
	int rc;

	memset(out, 0, sizeof *out);
	sql_bind_int(st, ":id", id);
	sql_bind_int(st, ":user", user);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		read_row(st, NULL, out);
	sql_reset(st);
	if (rc == SQLITE_DONE)
		return BO_NOT_FOUND;
	return db_status(db, rc, "wallet_ledger_get");
}

enum bo_status
wallet_history(struct db *db, struct arena *a, int64_t user, struct keyset *k,
    int64_t *balance, struct ledger_row **rows, size_t *n)
{
	/* Newest first, one page: a range of ledger_user (user_id, id). */
	static struct sql list_q = SQL(ROW__COLS,
	    "SELECT " LEDGER_COLUMNS " FROM " LEDGER_FROM
	    " WHERE l.user_id = :user AND l.id < :before"
	    " ORDER BY l.id DESC LIMIT :limit");
	struct sql_stmt *st;
	enum bo_status s;
	size_t cap = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	*balance = 0;
	k->next = 0;
	if ((s = db_begin_read(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &balance_q);
	sql_bind_int(st, ":user", user);
	if ((rc = sql_step(st)) == SQLITE_ROW)
		*balance = sql_int(st, BAL_BALANCE);
	sql_reset(st);
	/* A failed balance read stops here: no page with a wrong balance. */
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		st = sql_prepare(db, &list_q);
		sql_bind_int(st, ":user", user);
		sql_bind_int(st, ":before", keyset_before(k));
		sql_bind_int(st, ":limit", keyset_fetch(k));
		while ((rc = sql_step(st)) == SQLITE_ROW)
			read_row(st, a, arena_push(a, (void **)rows, n, &cap,
			    sizeof **rows));
		sql_reset(st);
	}
	if (rc == SQLITE_DONE)
		*n = keyset_cut(k, *n, *n > (size_t)k->limit ?
		    (*rows)[k->limit - 1].id : 0);
	return sql_end(db, db_status(db, rc, "wallet_history"));
}
