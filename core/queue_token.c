/*
 * queue_token.c — signing and checking queue tokens (queue_token.h).
 *
 * The MAC covers the same decimal numbers the token shows plus the
 * account id, each field separated, so no two claims share a message.
 * Keys are read from the database at each use (a primary-key lookup):
 * a rotation by the CLI is seen by every worker at once.
 */
#include "queue_token.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "parse.h"
#include "sql.h"

#define MAC_B64_LEN 43   /* 32 bytes, base64url without padding */

/* The message the MAC covers. */
static int
message(char *buf, size_t len, int64_t user_id, const struct queue_claim *c)
{
	return snprintf(buf, len, "q1|%" PRId64 "|%" PRId64 "|%" PRId64 "|%"
	    PRId64 "|%" PRId64, c->key_id, c->concert_id, c->ticket_id, c->place,
	    user_id);
}

/* Key id's secret into key (*found 0 when that key is gone); id 0: the
 * newest, its id into *id. */
static enum bo_status
key_of(struct db *db, int64_t *id, unsigned char key[crypto_auth_KEYBYTES],
    int *found)
{
	enum { KEY_ID, KEY_SECRET, KEY__COLS };
	static struct sql by_id_q = SQL(KEY__COLS,
	    "SELECT id, secret FROM queue_key WHERE id = :id");
	static struct sql newest_q = SQL(KEY__COLS,
	    "SELECT id, secret FROM queue_key ORDER BY id DESC LIMIT 1");
	struct sql_stmt *st;
	int rc, n = 0;

	if (*id != 0) {
		st = sql_prepare(db, &by_id_q);
		sql_bind_int(st, ":id", *id);
	} else {
		st = sql_prepare(db, &newest_q);
	}
	*found = 0;
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		const void *p = sql_blob(st, KEY_SECRET, &n);

		if (n == crypto_auth_KEYBYTES) {
			memcpy(key, p, crypto_auth_KEYBYTES);
			*id = sql_int(st, KEY_ID);
			*found = 1;
		}
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return db_status(db, rc, "queue key");
}

enum bo_status
queue_token_sign(struct db *db, int64_t user_id, const struct queue_claim *c,
    char out[QUEUE_TOKEN_MAX + 1])
{
	unsigned char key[crypto_auth_KEYBYTES], mac[crypto_auth_BYTES];
	char msg[160], b64[MAC_B64_LEN + 1];
	struct queue_claim k = *c;
	enum bo_status s;
	int found;

	out[0] = '\0';
	k.key_id = 0;
	if ((s = key_of(db, &k.key_id, key, &found)) != BO_OK)
		return s;
	if (!found) {
		core_log(LOG_ERROR, "no queue key: run boxoffice-admin init");
		return BO_ERROR;
	}
	message(msg, sizeof msg, user_id, &k);
	crypto_auth(mac, (const unsigned char *)msg, strlen(msg), key);
	sodium_memzero(key, sizeof key);
	sodium_bin2base64(b64, sizeof b64, mac, sizeof mac,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, QUEUE_TOKEN_MAX + 1, "q1.%" PRId64 ".%" PRId64 ".%" PRId64
	    ".%" PRId64 ".%s", k.key_id, k.concert_id, k.ticket_id, k.place, b64);
	return BO_OK;
}

/* The next dot-separated decimal field of *p (1 to 18 digits) into *v. */
static int
field(const char **p, int64_t *v)
{
	char num[20];
	size_t n = strspn(*p, "0123456789");

	if (n == 0 || n > 18 || (*p)[n] != '.')
		return 0;
	memcpy(num, *p, n);
	num[n] = '\0';
	*p += n + 1;
	return parse_int64(num, 0, INT64_MAX, v);
}

enum bo_status
queue_token_verify(struct db *db, int64_t user_id, const char *token,
    struct queue_claim *out)
{
	unsigned char key[crypto_auth_KEYBYTES], mac[crypto_auth_BYTES];
	char msg[160];
	const char *p = token;
	size_t maclen = 0;
	enum bo_status s;
	int found, ok;

	memset(out, 0, sizeof *out);
	if (token == NULL || strlen(token) > QUEUE_TOKEN_MAX ||
	    strncmp(p, "q1.", 3) != 0)
		return BO_FORBIDDEN;
	p += 3;
	if (!field(&p, &out->key_id) || !field(&p, &out->concert_id) ||
	    !field(&p, &out->ticket_id) || !field(&p, &out->place) ||
	    out->key_id == 0 || strlen(p) != MAC_B64_LEN || !parse_token(p, MAC_B64_LEN) ||
	    sodium_base642bin(mac, sizeof mac, p, MAC_B64_LEN, NULL, &maclen,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    maclen != sizeof mac)
		return BO_FORBIDDEN;
	if ((s = key_of(db, &out->key_id, key, &found)) != BO_OK)
		return s;
	if (!found)
		return BO_FORBIDDEN;
	message(msg, sizeof msg, user_id, out);
	ok = crypto_auth_verify(mac, (const unsigned char *)msg, strlen(msg),
	    key) == 0;
	sodium_memzero(key, sizeof key);
	return ok ? BO_OK : BO_FORBIDDEN;
}

/* A fresh secret, as the database keeps it. */
static enum bo_status
insert_key(struct db *db, int64_t now, int64_t *id)
{
	enum { NEW_ID, NEW__COLS };
	static struct sql q = SQL(NEW__COLS,
	    "INSERT INTO queue_key(secret, created_at) VALUES (:secret, :now)"
	    " RETURNING id");
	unsigned char key[crypto_auth_KEYBYTES];
	struct sql_stmt *st = sql_prepare(db, &q);
	enum bo_status s;
	int64_t n = 0;

	crypto_auth_keygen(key);
	sql_bind_blob(st, ":secret", key, sizeof key);
	sql_bind_int(st, ":now", now);
	s = sql_one_int(db, st, &n);
	sodium_memzero(key, sizeof key);
	if (id != NULL)
		*id = n;
	return s;
}

enum bo_status
queue_key_ensure(struct db *db, int64_t now)
{
	enum { ANY_COUNT, ANY__COLS };
	static struct sql q = SQL(ANY__COLS, "SELECT count(*) FROM queue_key");
	struct sql_stmt *st = sql_prepare(db, &q);
	int64_t n = 0;
	enum bo_status s;

	if ((s = sql_one_int(db, st, &n)) != BO_OK || n > 0)
		return s;
	return insert_key(db, now, NULL);
}

enum bo_status
queue_key_rotate(struct db *db, int64_t now, int64_t *id)
{
	static struct sql prune_q = SQL(0,
	    "DELETE FROM queue_key WHERE id NOT IN"
	    " (SELECT id FROM queue_key ORDER BY id DESC LIMIT :kept)");
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	if ((s = insert_key(db, now, id)) == BO_OK) {
		st = sql_prepare(db, &prune_q);
		sql_bind_int(st, ":kept", QUEUE_KEYS_KEPT);
		s = sql_run(db, st, NULL);
	}
	return sql_end(db, s);
}
