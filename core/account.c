/*
 * account.c — sign-up, login, throttling and sessions (see account.h).
 *
 * scrypt cost: N=2^15, r=8, p=1 (32 MiB, ~70 ms here). OWASP's first
 * choice (N=2^17) costs ~270 ms, and a worker hashing is a worker not
 * selling: at a sale opening, logins arrive in a storm. 32 MiB of memory
 * hardness keeps GPU guessing expensive; the login throttle (per account
 * and client address, login_throttle.h) and nginx's limit_req per client
 * address cap online guessing. The cost is in
 * every stored hash, so raising ACCOUNT_SCRYPT_* later needs no migration.
 */
#include "account.h"

#include <ctype.h>
#include <libscrypt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "login_throttle.h"
#include "parse.h"

#define ACCOUNT_SCRYPT_N 32768
#define ACCOUNT_SCRYPT_R 8
#define ACCOUNT_SCRYPT_P 1

void
random_token(char *buf, size_t len, size_t bytes)
{
	unsigned char raw[64];

	if (bytes > sizeof raw ||
	    len < sodium_base64_ENCODED_LEN(bytes,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		abort();
	randombytes_buf(raw, bytes);
	sodium_bin2base64(buf, len, raw, bytes,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

const char *
account_email_check(char *email)
{
	size_t len = strlen(email);
	char *at = strchr(email, '@');

	if (len == 0)
		return "Please enter your e-mail address.";
	if (len > ACCOUNT_EMAIL_MAX)
		return "That e-mail address is too long.";
	for (char *p = email; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "An e-mail address has no spaces or control characters.";
		*p = (char)tolower((unsigned char)*p);
	}
	if (at == NULL || at == email || strchr(at + 1, '@') != NULL ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || email[len - 1] == '.')
		return "That does not look like an e-mail address (name@example.com).";
	return NULL;
}

const char *
account_password_check(const char *password, const char *email)
{
	static const char *const common[] = {
		"password", "12345678", "123456789", "1234567890", "qwertyui",
		"qwerty123", "password1", "11111111", "iloveyou", "abcdefgh",
		"00000000", "88888888", "sunshine", "princess", "football",
	};
	size_t len = strlen(password);
	int same = 1;

	if (len < ACCOUNT_PASSWORD_MIN)
		return "Choose a password of at least 8 characters.";
	if (len > ACCOUNT_PASSWORD_MAX)
		return "Choose a password of at most 128 characters.";
	for (size_t i = 1; i < len; i++)
		same &= password[i] == password[0];
	if (same)
		return "That password is too easy to guess: one character repeated.";
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		if (strcmp(password, common[i]) == 0)
			return "That password is one of the most common: choose another.";
	if (email != NULL && strcasecmp(password, email) == 0)
		return "Your password cannot be your e-mail address.";
	return NULL;
}

static void
token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

/* Inserts a session for user_id; inside the caller's write transaction. */
static enum bo_status
session_insert(struct db *db, int64_t user_id, int64_t now, int64_t ttl,
    struct session_new *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st = db_stmt(db, STMT_SESSION_INSERT);
	int rc;

	random_token(out->token, sizeof out->token, 32);
	random_token(out->csrf, sizeof out->csrf, 16);
	out->user_id = user_id;
	token_hash(out->token, h);
	db_bind_blob(st, 1, h, sizeof h);
	db_bind_int(st, 2, user_id);
	db_bind_text(st, 3, out->csrf);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now + ttl);
	rc = sqlite3_step(st);
	db_reset(st);
	return db_status(db, rc, "session_insert");
}

enum bo_status
account_signup(struct db *db, char *email, const char *password, int64_t now,
    int64_t session_ttl, struct session_new *out, const char **why)
{
	char hash[SCRYPT_MCF_LEN];
	enum bo_status s;

	if ((*why = account_email_check(email)) != NULL ||
	    (*why = account_password_check(password, email)) != NULL)
		return BO_INVALID;
	/* The slow part, before any lock is taken. */
	if (libscrypt_hash(hash, password, ACCOUNT_SCRYPT_N, ACCOUNT_SCRYPT_R,
	    ACCOUNT_SCRYPT_P) <= 0) {
		fprintf(stderr, "boxoffice: libscrypt_hash failed\n");
		return BO_ERROR;
	}
	s = account_create_hashed(db, email, hash, now, session_ttl, out);
	if (s == BO_CONFLICT)
		*why = "An account with that e-mail address exists already. Log in instead?";
	return s;
}

/* A valid hash of a random password: checked against when the e-mail is
 * unknown, so that path costs the same scrypt work as a wrong password. */
static const char *
dummy_hash(void)
{
	static char hash[SCRYPT_MCF_LEN];

	if (hash[0] == '\0') {
		char pw[32];

		random_token(pw, sizeof pw, 16);
		if (libscrypt_hash(hash, pw, ACCOUNT_SCRYPT_N, ACCOUNT_SCRYPT_R,
		    ACCOUNT_SCRYPT_P) <= 0)
			abort();
	}
	return hash;
}

/* One login attempt between its reservation and its outcome. */
struct login_try {
	const char *email;          /* normalised; "" when not an address */
	char addr[LOGIN_ADDR_LEN];  /* login_addr_key() of the client */
	int64_t window_start;       /* the account window it was counted in */
	int64_t user_id;            /* 0: no such account */
	char hash[SCRYPT_MCF_LEN];  /* the stored hash, our own copy */
};

/* Reads two integer columns of the row statement id finds for t (by
 * e-mail, and address for STMT_LOGIN_ATTEMPT_GET); 0 and 0 when there is
 * none. SQLITE_DONE or the error. */
static int
counts_get(struct db *db, enum stmt id, const struct login_try *t,
    int64_t *a, int64_t *b)
{
	sqlite3_stmt *st = db_stmt(db, id);
	int rc;

	*a = *b = 0;
	db_bind_text(st, 1, t->email);
	if (id == STMT_LOGIN_ATTEMPT_GET)
		db_bind_text(st, 2, t->addr);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*a = sqlite3_column_int64(st, 0);
		*b = sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	db_reset(st);
	return rc;
}

/* Writes c back: the attempt counted, and what had lapsed reset. */
static int
counts_put(struct db *db, const struct login_try *t,
    const struct login_counts *c)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LOGIN_ATTEMPT_PUT);
	int rc;

	db_bind_text(st, 1, t->email);
	db_bind_text(st, 2, t->addr);
	db_bind_int(st, 3, c->failures);
	db_bind_int(st, 4, c->last_at);
	rc = sqlite3_step(st);
	db_reset(st);
	if (rc != SQLITE_DONE)
		return rc;
	st = db_stmt(db, STMT_LOGIN_ACCOUNT_PUT);
	db_bind_text(st, 1, t->email);
	db_bind_int(st, 2, c->acct_failures);
	db_bind_int(st, 3, c->window_start);
	rc = sqlite3_step(st);
	db_reset(st);
	return rc;
}

/*
 * The first half of a login, before any hashing: in one BEGIN IMMEDIATE
 * transaction, read the throttle's counts, decide (login_reserve), count
 * this attempt and read the account's hash. Counting before hashing is
 * what makes the throttle hold under concurrency: the next attempt, in any
 * worker, already sees this one. *retry_after > 0 (BO_THROTTLED): refused,
 * nothing written. An e-mail that is not an address has no account and
 * no count: nothing to read.
 */
static enum bo_status
login_begin(struct db *db, struct login_try *t, int64_t now,
    int64_t *retry_after)
{
	struct login_counts c = { 0 }, read;
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	*retry_after = 0;
	t->user_id = 0;
	t->window_start = 0;
	if (t->email[0] == '\0')
		return BO_OK;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	rc = counts_get(db, STMT_LOGIN_ATTEMPT_GET, t, &c.failures, &c.last_at);
	if (rc == SQLITE_DONE)
		rc = counts_get(db, STMT_LOGIN_ACCOUNT_GET, t, &c.acct_failures,
		    &c.window_start);
	read = c;
	if (rc == SQLITE_DONE && (*retry_after = login_reserve(&c, now)) > 0) {
		/* Not counted. But times a clock set back had left in the
		 * future are stored as now (login_reserve), or the wait told
		 * would never end before the clock caught up with them. */
		if (memcmp(&c, &read, sizeof c) == 0) {
			db_rollback(db);
			return BO_THROTTLED;
		}
		if ((rc = counts_put(db, t, &c)) != SQLITE_DONE) {
			s = db_status(db, rc, "login_begin");
			db_rollback(db);
		} else {
			s = db_commit(db);
		}
		if (s != BO_OK)
			*retry_after = 0;
		return s == BO_OK ? BO_THROTTLED : s;
	}
	if (rc == SQLITE_DONE)
		rc = counts_put(db, t, &c);
	if (rc == SQLITE_DONE) {
		t->window_start = c.window_start;
		st = db_stmt(db, STMT_USER_BY_EMAIL);
		db_bind_text(st, 1, t->email);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			t->user_id = sqlite3_column_int64(st, 0);
			snprintf(t->hash, sizeof t->hash, "%s", db_col_text(st, 1));
			rc = SQLITE_DONE;
		}
		db_reset(st);
	}
	if ((s = db_status(db, rc, "login_begin")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

/*
 * The second half after the right password: the attempt is given back
 * (the address's count cleared, the account's count less one) and a
 * session opened, in one transaction. After a wrong one nothing is
 * written: the reserved attempt stays counted.
 */
static enum bo_status
login_succeeded(struct db *db, const struct login_try *t, int64_t now,
    int64_t session_ttl, struct session_new *out)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_LOGIN_ATTEMPT_CLEAR);
	db_bind_text(st, 1, t->email);
	db_bind_text(st, 2, t->addr);
	rc = sqlite3_step(st);
	db_reset(st);
	if (rc == SQLITE_DONE) {
		st = db_stmt(db, STMT_LOGIN_ACCOUNT_GIVE_BACK);
		db_bind_text(st, 1, t->email);
		db_bind_int(st, 2, t->window_start);
		rc = sqlite3_step(st);
		db_reset(st);
	}
	s = db_status(db, rc, "login_succeeded");
	if (s == BO_OK)
		s = session_insert(db, t->user_id, now, session_ttl, out);
	if (s != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
account_login(struct db *db, char *email, const char *password,
    const char *client_addr, int64_t now, int64_t session_ttl,
    struct session_new *out, int64_t *retry_after)
{
	struct login_try t;
	enum bo_status s;
	int match;

	if (account_email_check(email) != NULL)
		email[0] = '\0'; /* no account, no count; still one hash below */
	t.email = email;
	login_addr_key(client_addr, t.addr, sizeof t.addr);
	if ((s = login_begin(db, &t, now, retry_after)) != BO_OK)
		return s;
	if (t.user_id == 0)
		snprintf(t.hash, sizeof t.hash, "%s", dummy_hash());
	/* Outside any transaction. libscrypt_check tokenises its argument:
	 * t.hash is our own copy. */
	match = libscrypt_check(t.hash, password) > 0 && t.user_id != 0 &&
	    strlen(password) <= ACCOUNT_PASSWORD_MAX;
	if (!match)
		return BO_INVALID;
	return login_succeeded(db, &t, now, session_ttl, out);
}

enum bo_status
session_lookup(struct db *db, const char *token, int64_t now,
    struct session_info *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st;
	int rc;

	if (!parse_token(token, SESSION_TOKEN_LEN))
		return BO_NOT_FOUND;
	token_hash(token, h);
	st = db_stmt(db, STMT_SESSION_LOOKUP);
	db_bind_blob(st, 1, h, sizeof h);
	db_bind_int(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(st, 0);
		snprintf(out->csrf, sizeof out->csrf, "%s", db_col_text(st, 1));
		snprintf(out->email, sizeof out->email, "%s", db_col_text(st, 2));
		out->balance = sqlite3_column_int64(st, 3);
	}
	db_reset(st);
	if (rc == SQLITE_ROW)
		return BO_OK;
	return rc == SQLITE_DONE ? BO_NOT_FOUND : db_status(db, rc, "session_lookup");
}

enum bo_status
session_destroy(struct db *db, const char *token)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	if (!parse_token(token, SESSION_TOKEN_LEN))
		return BO_OK;
	token_hash(token, h);
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_SESSION_DELETE);
	db_bind_blob(st, 1, h, sizeof h);
	rc = sqlite3_step(st);
	db_reset(st);
	if ((s = db_status(db, rc, "session_destroy")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

enum bo_status
session_purge(struct db *db, int64_t now, int64_t *purged)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	*purged = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_SESSION_PURGE);
	db_bind_int(st, 1, now);
	rc = sqlite3_step(st);
	db_reset(st);
	*purged = sqlite3_changes(db->handle);
	if (rc == SQLITE_DONE) {
		st = db_stmt(db, STMT_LOGIN_ATTEMPT_PURGE);
		db_bind_int(st, 1, now - LOGIN_FORGET_SECONDS);
		rc = sqlite3_step(st);
		db_reset(st);
	}
	if (rc == SQLITE_DONE) {
		st = db_stmt(db, STMT_LOGIN_ACCOUNT_PURGE);
		db_bind_int(st, 1, now - LOGIN_ACCOUNT_WINDOW);
		rc = sqlite3_step(st);
		db_reset(st);
	}
	if ((s = db_status(db, rc, "session_purge")) != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}

const char *
account_unknown_password_hash(void)
{
	return dummy_hash();
}

enum bo_status
account_create_hashed(struct db *db, char *email, const char *hash,
    int64_t now, int64_t session_ttl, struct session_new *out)
{
	sqlite3_stmt *st;
	enum bo_status s;
	int rc;

	if (account_email_check(email) != NULL)
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = db_stmt(db, STMT_USER_INSERT);
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, hash);
	db_bind_int(st, 3, now);
	rc = sqlite3_step(st);
	db_reset(st);
	if ((s = db_status(db, rc, "account_create_hashed")) == BO_OK)
		s = session_insert(db, sqlite3_last_insert_rowid(db->handle), now,
		    session_ttl, out);
	if (s != BO_OK) {
		db_rollback(db);
		return s;
	}
	return db_commit(db);
}
