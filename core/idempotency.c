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
#include "sql.h"

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
	/* The record and its ids in order, in one read (no ids: one row
	 * with a NULL kind). */
	enum { LOOK_HASH, LOOK_STATUS, LOOK_KIND, LOOK_REF, LOOK__COLS };
	static struct sql q = SQL(LOOK__COLS,
	    "SELECT r.request_hash, r.status, f.kind, f.ref_id FROM idem_record r"
	    " LEFT JOIN idem_ref f ON f.record_id = r.id"
	    " WHERE r.user_id = :user AND r.idem_key = :key ORDER BY f.seq");
	struct sql_stmt *st;
	int rc, first = 1;

	if (!keyed(k))
		return BO_OK;
	k->result = IDEM_NEW;
	k->nrefs = 0;
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":user", user);
	sql_bind_text(st, ":key", k->key);
	while ((rc = sql_step(st)) == SQLITE_ROW) {
		enum idem_ref_kind kind;

		if (first) {
			int len;
			const void *hash = sql_blob(st, LOOK_HASH, &len);

			first = 0;
			if (len != 32 || memcmp(hash, k->hash, 32) != 0) {
				k->result = IDEM_MISMATCH;
				break;
			}
			k->result = IDEM_REPLAY;
			k->first_status = (int)sql_int(st, LOOK_STATUS);
		}
		if (sql_is_null(st, LOOK_KIND))
			continue; /* a record without ids */
		/* The schema's CHECK allows no other name. */
		if (!kind_of(sql_text(st, LOOK_KIND), &kind) ||
		    k->nrefs == IDEM_REFS_MAX) {
			fprintf(stderr, "boxoffice: idem_look: record %s has an "
			    "unknown id kind or more than %d ids\n", k->key,
			    IDEM_REFS_MAX);
			rc = SQLITE_CORRUPT;
			break;
		}
		k->refs[k->nrefs].kind = kind;
		k->refs[k->nrefs++].id = sql_int(st, LOOK_REF);
	}
	sql_reset(st);
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

/* Inside the transaction: the record and its ids; *taken (nothing
 * written) when the key is recorded already. */
static enum bo_status
record(struct db *db, int64_t user, const struct idem *k, int64_t now,
    int *taken)
{
	/* No row when the key is taken; any other constraint is an error. */
	enum { REC_ID, REC__COLS };
	static struct sql rec_q = SQL(REC__COLS,
	    "INSERT INTO idem_record(user_id, idem_key, request_hash, status,"
	    " created_at) VALUES (:user, :key, :hash, :status, :now)"
	    " ON CONFLICT(user_id, idem_key) DO NOTHING RETURNING id");
	static struct sql ref_q = SQL(0,
	    "INSERT INTO idem_ref(record_id, seq, kind, ref_id)"
	    " VALUES (:record, :seq, :kind, :ref)");
	struct sql_stmt *st = sql_prepare(db, &rec_q);
	int64_t rec = 0;
	enum bo_status s;

	sql_bind_int(st, ":user", user);
	sql_bind_text(st, ":key", k->key);
	sql_bind_blob(st, ":hash", k->hash, 32);
	sql_bind_int(st, ":status", k->status);
	sql_bind_int(st, ":now", now);
	s = sql_one_int(db, st, &rec);
	*taken = s == BO_OK && rec == 0;
	for (size_t i = 0; i < k->nrefs && !*taken && s == BO_OK; i++) {
		st = sql_prepare(db, &ref_q);
		sql_bind_int(st, ":record", rec);
		sql_bind_int(st, ":seq", (int64_t)i);
		sql_bind_text(st, ":kind", ref_kinds[k->refs[i].kind]);
		sql_bind_int(st, ":ref", k->refs[i].id);
		s = sql_run(db, st, NULL);
	}
	return s;
}

enum bo_status
idem_commit(struct db *db, int64_t user, struct idem *k, int64_t now)
{
	enum bo_status s = BO_OK;
	int taken = 0;

	if (keyed(k) && (s = record(db, user, k, now, &taken)) == BO_OK &&
	    taken) {
		/* Someone recorded the key since idem_look(): not under our
		 * write lock, so not one of ours. Undo, retry. */
		db_rollback(db);
		k->result = IDEM_IN_FLIGHT;
		return BO_OK;
	}
	if ((s = sql_end(db, s)) != BO_OK)
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
	/* Its idem_ref rows go with it (ON DELETE CASCADE). */
	static struct sql q = SQL(0,
	    "DELETE FROM idem_record WHERE created_at <= :before");
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_int(st, ":before", now - IDEM_KEEP_SECONDS);
	return sql_end(db, sql_run(db, st, n));
}
