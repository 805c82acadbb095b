/*
 * test_idem.c — Idempotency-Key records kept inside the transaction of
 * the write they protect (core/idempotency.c, schema/008_idempotency.sql),
 * through the three keyed writes: hold_create, payment_pay and
 * wallet_charge_idem, against a real SQLite file with the demo catalogue.
 *
 * Covers: a new run records key, hash, status and the ids it made, in the
 * operation's one commit (counted with a commit hook); a replay makes
 * nothing, commits nothing and gives back the first status and ids; the
 * same key with another request is a mismatch that changes nothing; a
 * refusal leaves no record, so its retry runs again (a 402 paid after a
 * top-up); keys are per buyer and shared between operations; a charge's
 * key is its ledger key, also once the record is purged; and migration
 * 008 turning 005's stored answers into records; and a key another
 * connection recorded between the look-up and the commit (IN_FLIGHT: the
 * run undone, their record kept).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "demo.h"
#include "hold.h"
#include "idempotency.h"
#include "payment.h"
#include "wallet.h"

#include "fixture.h"

#define T0 FX_T0
#define HALL_CONCERT FX_HALL_CONCERT
#define PERF FX_HALL_PERF
#define MAX_CHARGE INT64_C(1000000) /* fx_sale_new's */
#define USERS 3

/* The commits of the test's connection since the test set it to 0. */
static int commits;

static int
count_commit(void *arg)
{
	(void)arg;
	commits++;
	return 0; /* let it commit */
}

/* The sale of fixture.h, every commit counted. */
static int
setup(void **state)
{
	struct fx_sale *f = fx_sale_new("idem", USERS);

	if (f == NULL)
		return -1;
	sqlite3_commit_hook(f->db->handle, count_commit, NULL);
	commits = 0;
	*state = f;
	return 0;
}

/* A request's key, hashed as the API hashes it. */
static void
request(struct idem *k, const char *key, const char *path, const char *body,
    int status)
{
	unsigned char hash[32];

	idem_hash("POST", path, body, strlen(body), hash);
	idem_init(k, key, hash, status);
}

static int64_t
records(struct fx_sale *f)
{
	return fx_int(f->db, "SELECT count(*) FROM idem_record");
}

/* ---- a hold: new, replay, mismatch, refusal ---- */

static void
hold_recorded_with_its_work(void **state)
{
	struct fx_sale *f = *state;
	struct idem k;
	int64_t h = 0, h2 = -1;

	fx_admit(f, 0, HALL_CONCERT, T0);
	fx_admit(f, 1, HALL_CONCERT, T0);
	request(&k, "res-1", "/api/v1/reservations", "{\"seat\":1}", 201);
	commits = 0;
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[0], T0 + 1,
	    &f->set, &k, &h), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_true(h > 0);
	assert_int_equal(idem_ref(&k, IDEM_REF_HOLD), h);
	assert_int_equal(commits, 1); /* the hold and its record: one commit */
	assert_int_equal(records(f), 1);
	assert_int_equal(fx_int(f->db, "SELECT status FROM idem_record WHERE"
	    " user_id = %lld AND idem_key = 'res-1'", (long long)f->user[0]), 201);
	assert_int_equal(fx_int(f->db, "SELECT ref_id FROM idem_ref f JOIN"
	    " idem_record r ON r.id = f.record_id WHERE r.idem_key = 'res-1'"
	    " AND f.kind = 'hold' AND f.seq = 0"), h);

	/* The retry: the first hold, not "taken"; nothing made, no commit. */
	request(&k, "res-1", "/api/v1/reservations", "{\"seat\":1}", 201);
	commits = 0;
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[0], T0 + 2,
	    &f->set, &k, &h2), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(k.first_status, 201);
	assert_int_equal(k.nrefs, 1);
	assert_int_equal(idem_ref(&k, IDEM_REF_HOLD), h);
	assert_int_equal(h2, 0);
	assert_int_equal(commits, 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold"), 1);
	/* ... also as a plain read before the transaction. */
	request(&k, "res-1", "/api/v1/reservations", "{\"seat\":1}", 201);
	assert_int_equal(idem_look(f->db, f->user[0], &k), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(idem_ref(&k, IDEM_REF_HOLD), h);

	/* The same key with another request: nothing happens. */
	request(&k, "res-1", "/api/v1/reservations", "{\"seat\":2}", 201);
	assert_int_equal(hold_create(f->db, PERF, f->seat[1], f->user[0], T0 + 3,
	    &f->set, &k, &h2), BO_OK);
	assert_int_equal(k.result, IDEM_MISMATCH);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM hold"), 1);
	assert_int_equal(records(f), 1);

	/* Another buyer's key of the same name is another key. */
	request(&k, "res-1", "/api/v1/reservations", "{\"seat\":2}", 201);
	assert_int_equal(hold_create(f->db, PERF, f->seat[1], f->user[1], T0 + 3,
	    &f->set, &k, &h2), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_int_equal(records(f), 2);

	/* A refusal (taken) leaves no record: its retry runs again, and
	 * once the seat is free it is held. */
	request(&k, "res-2", "/api/v1/reservations", "{\"seat\":1}", 201);
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[1], T0 + 4,
	    &f->set, &k, &h2), BO_CONFLICT);
	assert_int_equal(records(f), 2);
	assert_int_equal(hold_release(f->db, h, f->user[0], T0 + 5), BO_OK);
	request(&k, "res-2", "/api/v1/reservations", "{\"seat\":1}", 201);
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[1], T0 + 6,
	    &f->set, &k, &h2), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_true(h2 > h);

	/* A replay of res-1 still names the first hold, released now. */
	request(&k, "res-1", "/api/v1/reservations", "{\"seat\":1}", 201);
	assert_int_equal(idem_look(f->db, f->user[0], &k), BO_OK);
	assert_int_equal(idem_ref(&k, IDEM_REF_HOLD), h);
}

/* ---- a payment: 402 not kept, then paid under the same key ---- */

static void
payment_recorded_with_its_work(void **state)
{
	struct fx_sale *f = *state;
	struct idem k;
	int64_t h = 0, pid = 0, bal = 0, price;
	int already = -1, replayed;

	fx_admit(f, 0, HALL_CONCERT, T0);
	assert_int_equal(hold_create(f->db, PERF, f->seat[0], f->user[0], T0,
	    &f->set, NULL, &h), BO_OK);
	price = fx_int(f->db, "SELECT price FROM hold WHERE id = %lld",
	    (long long)h);

	request(&k, "pay-1", "/api/v1/payments", "{\"reservationId\":1}", 201);
	assert_int_equal(payment_pay(f->db, h, f->user[0], T0 + 1, &k, &pid,
	    &already), BO_INSUFFICIENT);
	assert_int_equal(records(f), 0);

	assert_int_equal(wallet_charge(f->db, f->user[0], price, MAX_CHARGE,
	    NULL, T0 + 2, &bal, &replayed), BO_OK);
	request(&k, "pay-1", "/api/v1/payments", "{\"reservationId\":1}", 201);
	commits = 0;
	assert_int_equal(payment_pay(f->db, h, f->user[0], T0 + 3, &k, &pid,
	    &already), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_int_equal(already, 0);
	assert_int_equal(commits, 1);
	assert_int_equal(k.nrefs, 2);
	assert_int_equal(idem_ref(&k, IDEM_REF_PAYMENT), pid);
	assert_int_equal(idem_ref(&k, IDEM_REF_HOLD), h);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM idem_ref"), 2);

	request(&k, "pay-1", "/api/v1/payments", "{\"reservationId\":1}", 201);
	commits = 0;
	assert_int_equal(payment_pay(f->db, h, f->user[0], T0 + 4, &k, &pid,
	    &already), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(k.first_status, 201);
	assert_int_equal(idem_ref(&k, IDEM_REF_PAYMENT),
	    fx_int(f->db, "SELECT id FROM payment WHERE hold_id = %lld",
	    (long long)h));
	assert_int_equal(commits, 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM payment"), 1);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ledger WHERE"
	    " kind = 'PAYMENT'"), 1);

	/* Paid already, under a new key: the same payment, no record. */
	request(&k, "pay-2", "/api/v1/payments", "{\"reservationId\":1}", 201);
	assert_int_equal(payment_pay(f->db, h, f->user[0], T0 + 5, &k, &pid,
	    &already), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_int_equal(already, 1);
	assert_int_equal(records(f), 1);

	/* A key is one request, whatever the operation. */
	request(&k, "pay-1", "/api/v1/balance/charge", "{\"amount\":5}", 200);
	assert_int_equal(wallet_charge_idem(f->db, f->user[0], 5, MAX_CHARGE, &k,
	    T0 + 6, &bal), BO_OK);
	assert_int_equal(k.result, IDEM_MISMATCH);
	assert_int_equal(fx_int(f->db, "SELECT balance FROM user WHERE id = %lld",
	    (long long)f->user[0]), 0);
}

/* ---- a charge: its key is its ledger key, record or not ---- */

static void
charge_key_is_ledger_key(void **state)
{
	struct fx_sale *f = *state;
	struct ledger_row row;
	struct idem k;
	int64_t bal = 0, purged = 0;

	request(&k, "top-1", "/api/v1/balance/charge", "{\"amount\":700}", 200);
	commits = 0;
	assert_int_equal(wallet_charge_idem(f->db, f->user[0], 700, MAX_CHARGE,
	    &k, T0, &bal), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_int_equal(bal, 700);
	assert_int_equal(commits, 1);
	assert_int_equal(idem_ref(&k, IDEM_REF_LEDGER), fx_int(f->db,
	    "SELECT id FROM ledger WHERE idem_key = 'top-1'"));
	assert_int_equal(wallet_ledger_get(f->db, f->user[0],
	    idem_ref(&k, IDEM_REF_LEDGER), &row), BO_OK);
	assert_int_equal(row.amount, 700);
	assert_int_equal(row.balance_after, 700);
	assert_int_equal(wallet_ledger_get(f->db, f->user[1],
	    idem_ref(&k, IDEM_REF_LEDGER), &row), BO_NOT_FOUND);

	request(&k, "top-1", "/api/v1/balance/charge", "{\"amount\":700}", 200);
	assert_int_equal(wallet_charge_idem(f->db, f->user[0], 700, MAX_CHARGE,
	    &k, T0 + 1, &bal), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(k.first_status, 200);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ledger"), 1);

	/* A day later the record is purged; the ledger key still holds. */
	assert_int_equal(idem_purge(f->db, T0 + IDEM_KEEP_SECONDS - 1, &purged),
	    BO_OK);
	assert_int_equal(purged, 0);
	assert_int_equal(idem_purge(f->db, T0 + IDEM_KEEP_SECONDS, &purged),
	    BO_OK);
	assert_int_equal(purged, 1);
	assert_int_equal(records(f), 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM idem_ref"), 0);
	request(&k, "top-1", "/api/v1/balance/charge", "{\"amount\":700}", 200);
	assert_int_equal(wallet_charge_idem(f->db, f->user[0], 700, MAX_CHARGE,
	    &k, T0 + IDEM_KEEP_SECONDS + 1, &bal), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(idem_ref(&k, IDEM_REF_LEDGER), fx_int(f->db,
	    "SELECT id FROM ledger WHERE idem_key = 'top-1'"));
	request(&k, "top-1", "/api/v1/balance/charge", "{\"amount\":800}", 200);
	assert_int_equal(wallet_charge_idem(f->db, f->user[0], 800, MAX_CHARGE,
	    &k, T0 + IDEM_KEEP_SECONDS + 1, &bal), BO_KEY_REUSED);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM ledger"), 1);
	assert_int_equal(fx_int(f->db, "SELECT balance FROM user WHERE id = %lld",
	    (long long)f->user[0]), 700);

	/* Not keyed: a charge every time, nothing recorded. */
	request(&k, NULL, "/api/v1/balance/charge", "{\"amount\":1}", 200);
	assert_int_equal(wallet_charge_idem(f->db, f->user[0], 1, MAX_CHARGE,
	    &k, T0, &bal), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	assert_int_equal(wallet_charge_idem(f->db, f->user[0], 1, MAX_CHARGE,
	    &k, T0, &bal), BO_OK);
	assert_int_equal(bal, 702);
	assert_int_equal(records(f), 0);
}

/* ---- a key recorded by another connection since the look-up ---- */

static void
key_recorded_meanwhile_is_in_flight(void **state)
{
	struct fx_sale *f = *state;
	struct db *other = db_open(f->files.path, 0);
	struct idem k, theirs;
	int64_t price;

	assert_non_null(other);
	request(&k, "race-1", "/api/v1/reservations", "{\"seat\":1}", 201);
	request(&theirs, "race-1", "/api/v1/reservations", "{\"seat\":2}", 201);
	/* The look-up alone, before the write lock (as a replay's read). */
	assert_int_equal(idem_look(f->db, f->user[0], &k), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	/* Another worker records the same key first, with an id. */
	assert_int_equal(db_begin_write(other), BO_OK);
	idem_add_ref(&theirs, IDEM_REF_HOLD, 42);
	assert_int_equal(idem_commit(other, f->user[0], &theirs, T0), BO_OK);
	assert_int_equal(theirs.result, IDEM_NEW);
	db_close(other);

	/* This run's work and its record: undone together. */
	price = fx_int(f->db, "SELECT price FROM seat WHERE id = %lld",
	    (long long)f->seat[0]);
	assert_int_equal(db_begin_write(f->db), BO_OK);
	fx_exec(f->db, "UPDATE seat SET price = price + 1 WHERE id = %lld",
	    (long long)f->seat[0]);
	idem_add_ref(&k, IDEM_REF_HOLD, 7);
	commits = 0;
	assert_int_equal(idem_commit(f->db, f->user[0], &k, T0 + 1), BO_OK);
	assert_int_equal(k.result, IDEM_IN_FLIGHT);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(commits, 0);
	assert_int_equal(fx_int(f->db, "SELECT price FROM seat WHERE id = %lld",
	    (long long)f->seat[0]), price);
	/* The record is the other worker's, its one id with it. */
	assert_int_equal(records(f), 1);
	assert_int_equal(fx_int(f->db, "SELECT created_at FROM idem_record"), T0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM idem_ref"), 1);
	assert_int_equal(fx_int(f->db, "SELECT ref_id FROM idem_ref"), 42);
	/* Its retry is a mismatch: another request under the same key. */
	assert_int_equal(idem_look(f->db, f->user[0], &k), BO_OK);
	assert_int_equal(k.result, IDEM_MISMATCH);
}

/* ---- migration 008: the answers 005 kept become records ---- */

static void
migration_keeps_old_answers(void **state)
{
	struct fx_files files;
	struct db *db;
	struct idem k;
	unsigned char hash[32];
	char hex[65];

	(void)state;
	assert_int_equal(fx_db_at_version(&files, "idem8", 6, &db), 0);

	idem_hash("POST", "/p", "{}", 2, hash);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	fx_exec(db, "INSERT INTO user(id, email, pw_hash, created_at)"
	    " VALUES (5, 'old@example.com', 'x', 1)");
	fx_exec(db, "INSERT INTO ledger(user_id, kind, amount, balance_after,"
	    " idem_key, created_at) VALUES (5, 'CHARGE', 900, 900, 'c1', 1)");
	fx_exec(db, "INSERT INTO api_idempotency VALUES"
	    " (5, 'c1', X'%s', 'DONE', 200,"
	    "  '{\"balance\":900,\"charged\":900,\"currency\":\"KRW\"}', %lld),"
	    " (5, 'r1', X'%s', 'DONE', 201,"
	    "  '{\"reservationId\":7,\"state\":\"held\"}', %lld),"
	    " (5, 'p1', X'%s', 'DONE', 201, '{\"paymentId\":3,"
	    "\"reservationId\":7,\"status\":\"paid\",\"reservation\":{}}', %lld),"
	    " (5, 'f1', X'%s', 'IN_FLIGHT', NULL, NULL, %lld),"
	    " (5, 'x1', X'%s', 'DONE', 201, 'not json', %lld)",
	    hex, (long long)T0, hex, (long long)T0, hex, (long long)T0, hex,
	    (long long)T0, hex, (long long)T0);

	assert_int_equal(db_migrate(db), BO_OK);
	assert_int_equal(db_schema_version(db), db_schema_latest());
	assert_int_equal(fx_int(db, "SELECT count(*) FROM sqlite_schema WHERE"
	    " name = 'api_idempotency'"), 0);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM idem_record"), 3);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM idem_ref"), 4);

	idem_init(&k, "c1", hash, 200);
	assert_int_equal(idem_look(db, 5, &k), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(k.first_status, 200);
	assert_int_equal(idem_ref(&k, IDEM_REF_LEDGER),
	    fx_int(db, "SELECT id FROM ledger WHERE idem_key = 'c1'"));
	idem_init(&k, "r1", hash, 201);
	assert_int_equal(idem_look(db, 5, &k), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(idem_ref(&k, IDEM_REF_HOLD), 7);
	idem_init(&k, "p1", hash, 201);
	assert_int_equal(idem_look(db, 5, &k), BO_OK);
	assert_int_equal(k.result, IDEM_REPLAY);
	assert_int_equal(k.nrefs, 2);
	assert_int_equal(idem_ref(&k, IDEM_REF_PAYMENT), 3);
	assert_int_equal(idem_ref(&k, IDEM_REF_HOLD), 7);
	/* A claim left IN_FLIGHT is gone: its retry runs. */
	idem_init(&k, "f1", hash, 201);
	assert_int_equal(idem_look(db, 5, &k), BO_OK);
	assert_int_equal(k.result, IDEM_NEW);
	fx_db_destroy(&files, db);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fx_sale_teardown)
	const struct CMUnitTest tests[] = {
		T(hold_recorded_with_its_work),
		T(payment_recorded_with_its_work),
		T(charge_key_is_ledger_key),
		T(key_recorded_meanwhile_is_in_flight),
		cmocka_unit_test(migration_keeps_old_answers),
	};
#undef T

	return cmocka_run_group_tests_name("idempotency", tests, fx_group_setup,
	    NULL);
}
