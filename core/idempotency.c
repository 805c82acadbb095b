/*
 * idempotency.c — Idempotency-Key records (see idempotency.h).
 */
#include "idempotency.h"

#include "parse.h"

#include <sodium.h>
#include <string.h>

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

enum bo_status
idem_begin(struct db *db, struct arena *a, int64_t user, const char *key,
    const unsigned char hash[32], int64_t now, enum idem_result *result,
    int *status, const char **response)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	if (!parse_key(key, IDEM_KEY_MAX)) {
		*result = IDEM_BAD_KEY;
		return BO_OK;
	}
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_IDEM_GET);
	db_bind_int(st, 1, user);
	db_bind_text(st, 2, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int same = sqlite3_column_bytes(st, 0) == 32 &&
		    memcmp(sqlite3_column_blob(st, 0), hash, 32) == 0;
		int done = strcmp(db_col_text(st, 1), "DONE") == 0;
		int64_t since = sqlite3_column_int64(st, 4);

		if (!same)
			*result = IDEM_MISMATCH;
		else if (done) {
			*result = IDEM_REPLAY;
			*status = sqlite3_column_int(st, 2);
			*response = arena_strdup(a, db_col_text(st, 3));
		} else
			*result = since <= now - IDEM_STALE_SECONDS ? IDEM_NEW :
			    IDEM_IN_FLIGHT;
		rc = SQLITE_DONE;
		db_reset(st);
		if (*result == IDEM_NEW) { /* take over an abandoned claim */
			st = db_stmt(db, STMT_IDEM_TAKEOVER);
			db_bind_int(st, 1, user);
			db_bind_text(st, 2, key);
			db_bind_blob(st, 3, hash, 32);
			db_bind_int(st, 4, now);
			db_bind_int(st, 5, now - IDEM_STALE_SECONDS);
			rc = sqlite3_step(st);
			db_reset(st);
		}
	} else {
		db_reset(st);
		if (rc == SQLITE_DONE) {
			*result = IDEM_NEW;
			st = db_stmt(db, STMT_IDEM_BEGIN);
			db_bind_int(st, 1, user);
			db_bind_text(st, 2, key);
			db_bind_blob(st, 3, hash, 32);
			db_bind_int(st, 4, now);
			rc = sqlite3_step(st);
			db_reset(st);
		}
	}
	if ((s = db_status(db, rc, "idem_begin")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

static enum bo_status
write_one(struct db *db, enum stmt id, int64_t user, const char *key,
    int status, const char *response, const char *where)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, id);
	db_bind_int(st, 1, user);
	db_bind_text(st, 2, key);
	if (response != NULL) {
		db_bind_int(st, 3, status);
		db_bind_text(st, 4, response);
	}
	rc = sqlite3_step(st);
	db_reset(st);
	if ((s = db_status(db, rc, where)) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
idem_finish(struct db *db, int64_t user, const char *key, int status,
    const char *response)
{
	return write_one(db, STMT_IDEM_FINISH, user, key, status, response,
	    "idem_finish");
}

enum bo_status
idem_forget(struct db *db, int64_t user, const char *key)
{
	return write_one(db, STMT_IDEM_FORGET, user, key, 0, NULL, "idem_forget");
}

enum bo_status
idem_purge(struct db *db, int64_t now, int64_t *n)
{
	int64_t line = now - IDEM_KEEP_SECONDS;

	return db_write_ints(db, STMT_IDEM_PURGE, 1, &line, n);
}
