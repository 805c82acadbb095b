/*
 * idempotency.h — Idempotency-Key records for the JSON API.
 *
 * idem_begin() claims a key for a request (method, path and body, hashed);
 * the caller performs the operation and records its answer with
 * idem_finish(), or gives the claim up with idem_forget() when the answer
 * should not be replayed (a busy database). A second request with the same
 * key gets the stored answer (IDEM_REPLAY), a wait (IDEM_IN_FLIGHT) or a
 * refusal (IDEM_MISMATCH).
 */
#ifndef BOXOFFICE_IDEMPOTENCY_H
#define BOXOFFICE_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

#define IDEM_KEY_MAX 64
#define IDEM_KEEP_SECONDS (24 * 3600)
#define IDEM_STALE_SECONDS 60 /* an IN_FLIGHT claim older is abandoned */

enum idem_result {
	IDEM_NEW,       /* claimed: perform the operation, then finish */
	IDEM_REPLAY,    /* done before: *status and *response are the answer */
	IDEM_IN_FLIGHT, /* the first request is still running */
	IDEM_MISMATCH,  /* the key was used for another request */
	IDEM_BAD_KEY,   /* empty, too long or not printable ASCII */
};

/* The request's fingerprint: a 32-byte hash of method, path and body. */
void idem_hash(const char *method, const char *path, const void *body,
    size_t len, unsigned char out[32]);

enum bo_status idem_begin(struct db *db, struct arena *a, int64_t user_id,
    const char *key, const unsigned char hash[32], int64_t now,
    enum idem_result *result, int *status, const char **response);
enum bo_status idem_finish(struct db *db, int64_t user_id, const char *key,
    int status, const char *response);
enum bo_status idem_forget(struct db *db, int64_t user_id, const char *key);
/* For boxoffice-expire: forgets records older than IDEM_KEEP_SECONDS. */
enum bo_status idem_purge(struct db *db, int64_t now, int64_t *n);

#endif
