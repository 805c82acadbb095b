/*
 * idempotency.h — Idempotency-Key records, kept inside the transaction of
 * the write they protect (schema/008_idempotency.sql).
 *
 * A keyed write (a hold, a charge, a payment) gets a struct idem from its
 * caller: the key, the request's hash (idem_hash(), computed before the
 * transaction) and the status its answer has when the operation runs. The
 * operation's own BEGIN IMMEDIATE transaction starts with
 * idem_look(): a key used before answers IDEM_REPLAY (the first
 * status and the ids the first run made) or IDEM_MISMATCH (another request
 * under that key), and the operation does nothing. Otherwise the operation
 * does its work, notes the ids it makes with idem_add_ref(), and ends with
 * idem_commit(), which writes the record and commits: the work and its
 * record are durable together, in one commit, or neither is. A refusal
 * rolls back and leaves no record, so its retry runs again.
 *
 * No response body is kept: a replay answers the first status with the
 * same resources, read as they are now.
 *
 * Two requests with one key at once: the write lock orders them, so the
 * second finds the first's committed record and replays it.
 */
#ifndef BOXOFFICE_IDEMPOTENCY_H
#define BOXOFFICE_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define IDEM_KEY_MAX 64
#define IDEM_KEEP_SECONDS (24 * 3600)
/* Ids one operation may make. An order of several seats makes one per
 * seat and its payment: raise this (the schema has no limit). */
#define IDEM_REFS_MAX 40

enum idem_result {
	IDEM_NEW,       /* not used before: the operation runs (and ran) */
	IDEM_REPLAY,    /* done before: first_status and refs are its answer */
	IDEM_MISMATCH,  /* the key was used for another request: nothing done */
	IDEM_IN_FLIGHT, /* another connection recorded the key first (only
	                 * possible outside BEGIN IMMEDIATE): retry shortly */
};

/* What an id in a record is; names in the schema's CHECK. */
enum idem_ref_kind {
	IDEM_REF_HOLD,
	IDEM_REF_PAYMENT,
	IDEM_REF_LEDGER,
	IDEM_REF__MAX
};

struct idem_ref {
	enum idem_ref_kind kind;
	int64_t id;
};

struct idem {
	/* in (idem_init): key NULL means the request is not keyed */
	const char *key;
	unsigned char hash[32];
	int status;              /* the answer of a new run, 200..299 */
	/* out */
	enum idem_result result;
	int first_status;        /* REPLAY: the first answer's status */
	struct idem_ref refs[IDEM_REFS_MAX];
	size_t nrefs;            /* NEW: what this run made; REPLAY: the
	                          * first run's */
};

/* The request's fingerprint: a 32-byte hash of method, path and body. */
void idem_hash(const char *method, const char *path, const void *body,
    size_t len, unsigned char out[32]);

/* 1 when key is 1..IDEM_KEY_MAX printable ASCII characters. */
int idem_key_valid(const char *key);

/* Fills k for a request: key (NULL: not keyed; else valid, borrowed for
 * k's life), its hash, and the status a new run answers. */
void idem_init(struct idem *k, const char *key, const unsigned char hash[32],
    int status);

/* 1 when k is a keyed request that must not run (a replay or a refusal):
 * the operation returns BO_OK and does nothing. NULL k: 0. */
int idem_settled(const struct idem *k);

/*
 * Looks k's key up for user: sets k->result (and, for a replay,
 * first_status and refs). Inside the operation's write transaction, or
 * alone as a read before it (a replay then needs no write lock). NULL k,
 * or no key: nothing to look up, IDEM_NEW.
 */
enum bo_status idem_look(struct db *db, int64_t user_id, struct idem *k);

/* Notes an id the running operation made. NULL k: nothing. */
void idem_add_ref(struct idem *k, enum idem_ref_kind kind, int64_t id);
/* The first id of that kind in k->refs, or 0. */
int64_t idem_ref(const struct idem *k, enum idem_ref_kind kind);

/*
 * Ends a write transaction that did its work: writes k's record when k is
 * keyed, then commits; rolls back on failure. A record that appeared
 * meanwhile (IDEM_IN_FLIGHT) rolls the work back too, with BO_OK.
 */
enum bo_status idem_commit(struct db *db, int64_t user_id, struct idem *k,
    int64_t now);

/* For boxoffice-expire: forgets records older than IDEM_KEEP_SECONDS. */
enum bo_status idem_purge(struct db *db, int64_t now, int64_t *n);

#endif
