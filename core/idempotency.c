/*
 * idempotency.c — Idempotency-Key records (see idempotency.h).
 */
#include "idempotency.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "parse.h"

/* The schema's names for enum idem_ref_kind (008_idempotency.sql). */
static const char *const ref_kinds[IDEM_REF__MAX] = {
	[IDEM_REF_HOLD] = "hold",
	[IDEM_REF_PAYMENT] = "payment",
	[IDEM_REF_LEDGER] = "ledger",
};

void
idem_hash(const char *method, const char *path, const void *body, size_t len,
    unsigned char out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)method, strlen(method) + 1);
	crypto_generichash_update(&st, (const unsigned char *)path, strlen(path) + 1);
	crypto_generichash_update(&st, body, len);
	crypto_generichash_final(&st, out, 32);
}

int
idem_key_valid(const char *key)
{
	return parse_key(key, IDEM_KEY_MAX);
}

void
idem_init(struct idem *k, const char *key, const unsigned char hash[32],
    int status)
{
	assert(key == NULL || idem_key_valid(key));
	assert(status >= 200 && status <= 299);
	memset(k, 0, sizeof *k);
	k->key = key;
	if (hash != NULL)
		memcpy(k->hash, hash, sizeof k->hash);
	k->status = status;
	k->result = IDEM_NEW;
}

static int
keyed(const struct idem *k)
{
	return k != NULL && k->key != NULL;
}

int
idem_settled(const struct idem *k)
{
	return keyed(k) && k->result != IDEM_NEW;
}

static int
kind_of(const char *name, enum idem_ref_kind *out)
{
	for (int i = 0; i < IDEM_REF__MAX; i++)
		if (strcmp(name, ref_kinds[i]) == 0) {
			*out = (enum idem_ref_kind)i;
			return 1;
		}
	return 0;
}

enum bo_status
idem_look(struct db *db, int64_t user, struct idem *k)
{
	sqlite3_stmt *st;
	int rc, first = 1;

	if (!keyed(k))
		return BO_OK;
	k->result = IDEM_NEW;
	k->nrefs = 0;
	st = db_stmt(db, STMT_IDEM_LOOK);
	db_bind_int(st, 1, user);
	db_bind_text(st, 2, k->key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum idem_ref_kind kind;

		if (first) {
			first = 0;
			if (sqlite3_column_bytes(st, 0) != 32 ||
			    memcmp(sqlite3_column_blob(st, 0), k->hash, 32) != 0) {
				k->result = IDEM_MISMATCH;
				break;
			}
			k->result = IDEM_REPLAY;
			k->first_status = sqlite3_column_int(st, 1);
		}
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue; /* a record without ids */
		/* The schema's CHECK allows no other name. */
		if (!kind_of(db_col_text(st, 2), &kind) ||
		    k->nrefs == IDEM_REFS_MAX) {
			fprintf(stderr, "boxoffice: idem_look: record %s has an "
			    "unknown id kind or more than %d ids\n", k->key,
			    IDEM_REFS_MAX);
			rc = SQLITE_CORRUPT;
			break;
		}
		k->refs[k->nrefs].kind = kind;
		k->refs[k->nrefs++].id = sqlite3_column_int64(st, 3);
	}
	db_reset(st);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE; /* left early on a mismatch */
	return db_status(db, rc, "idem_look");
}

void
idem_add_ref(struct idem *k, enum idem_ref_kind kind, int64_t id)
{
	if (k == NULL)
		return;
	assert(kind < IDEM_REF__MAX && id > 0);
	assert(k->nrefs < IDEM_REFS_MAX); /* raise IDEM_REFS_MAX */
	k->refs[k->nrefs].kind = kind;
	k->refs[k->nrefs++].id = id;
}

int64_t
idem_ref(const struct idem *k, enum idem_ref_kind kind)
{
	for (size_t i = 0; i < k->nrefs; i++)
		if (k->refs[i].kind == kind)
			return k->refs[i].id;
	return 0;
}

/* Inside the transaction: the record and its ids. */
static int
record(struct db *db, int64_t user, const struct idem *k, int64_t now)
{
	sqlite3_stmt *st = db_stmt(db, STMT_IDEM_INSERT);
	int64_t rec;
	int rc;

	db_bind_int(st, 1, user);
	db_bind_text(st, 2, k->key);
	db_bind_blob(st, 3, k->hash, 32);
	db_bind_int(st, 4, k->status);
	db_bind_int(st, 5, now);
	rc = sqlite3_step(st);
	db_reset(st);
	rec = sqlite3_last_insert_rowid(db->handle);
	for (size_t i = 0; i < k->nrefs && rc == SQLITE_DONE; i++) {
		st = db_stmt(db, STMT_IDEM_REF_INSERT);
		db_bind_int(st, 1, rec);
		db_bind_int(st, 2, (int64_t)i);
		db_bind_text(st, 3, ref_kinds[k->refs[i].kind]);
		db_bind_int(st, 4, k->refs[i].id);
		rc = sqlite3_step(st);
		db_reset(st);
	}
	return rc;
}

enum bo_status
idem_commit(struct db *db, int64_t user, struct idem *k, int64_t now)
{
	enum bo_status s;

	if (keyed(k)) {
		int rc = record(db, user, k, now);

		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
			/* Someone recorded the key since idem_look(): not under
			 * our write lock, so not one of ours. Undo, retry. */
			db_rollback(db);
			k->result = IDEM_IN_FLIGHT;
			return BO_OK;
		}
		if ((s = db_status(db, rc, "idem_commit")) != BO_OK) {
			db_rollback(db);
			return s;
		}
	}
	if ((s = db_commit(db)) != BO_OK)
		return s;
	/* The torture suite's crash between the commit and the answer
	 * (tests/torture/crash_after_commit.test.mjs). */
	if (keyed(k))
		FAULT_POINT("after_commit");
	return BO_OK;
}

enum bo_status
idem_purge(struct db *db, int64_t now, int64_t *n)
{
	int64_t line = now - IDEM_KEEP_SECONDS;

	return db_write_ints(db, STMT_IDEM_PURGE, 1, &line, n);
}
