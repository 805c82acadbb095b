/*
 * queue_token.h — the buyer's signed place number (issue 12).
 *
 * A queue ticket's token says which ticket it is, of which concert, and
 * the ticket's place number in the line; it is bound to the buyer's
 * account, and signed with crypto_auth (HMAC-SHA-512-256, libsodium)
 * under a key kept in the database (table queue_key). So the waiting room
 * may trust the number it carries (place = number - serving, from the
 * public state) without asking the database, and nobody can forge a
 * better number or use another buyer's token.
 *
 *	q1.KEY.CONCERT.TICKET.PLACE.MAC
 *
 * KEY names the key that signed it: the newest key signs, and the one
 * before it still verifies, so a rotation (boxoffice-admin
 * rotate-queue-key) does not throw buyers out of the line. PLACE is 0
 * while the number is not known yet (a pre-queue ticket before the
 * opening draws its place then). MAC is base64url without padding, over
 * the same numbers and the buyer's account id.
 */
#ifndef BOXOFFICE_QUEUE_TOKEN_H
#define BOXOFFICE_QUEUE_TOKEN_H

#include <stdint.h>

#include "db.h"

#define QUEUE_TOKEN_MAX 127     /* the longest token, without its NUL */
#define QUEUE_KEYS_KEPT 2       /* the newest key and the one before */

struct queue_claim {
	int64_t key_id, concert_id, ticket_id, place;
};

/* Signs c (its key_id ignored: the newest key signs) for user into out.
 * Reads the key; runs inside or outside a transaction. BO_ERROR when
 * there is no key (the database was not made by boxoffice-admin init). */
enum bo_status queue_token_sign(struct db *db, int64_t user_id,
    const struct queue_claim *c, char out[QUEUE_TOKEN_MAX + 1]);

/* Checks token for user: BO_FORBIDDEN when it is malformed, signed by a
 * key that is gone, or not this buyer's; else fills *out. */
enum bo_status queue_token_verify(struct db *db, int64_t user_id,
    const char *token, struct queue_claim *out);

/* Inside the caller's write transaction: makes the first key when there
 * is none (db_migrate, so init makes it). */
enum bo_status queue_key_ensure(struct db *db, int64_t now);

/* A new signing key in its own write transaction; keys older than the
 * QUEUE_KEYS_KEPT newest are deleted (tokens they signed stop verifying:
 * the buyer's next status answer carries a fresh one). *id: the new key. */
enum bo_status queue_key_rotate(struct db *db, int64_t now, int64_t *id);

#endif
