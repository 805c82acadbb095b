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
#include "msgid.h"

#include <ctype.h>
#include <libscrypt.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "login_throttle.h"
#include "parse.h"
#include "sql.h"

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
		return N_("Please enter your e-mail address.");
	if (len > ACCOUNT_EMAIL_MAX)
		return N_("That e-mail address is too long.");
	for (char *p = email; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return N_("An e-mail address has no spaces or control characters.");
		*p = (char)tolower((unsigned char)*p);
	}
	if (at == NULL || at == email || strchr(at + 1, '@') != NULL ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' || email[len - 1] == '.')
		return N_("That does not look like an e-mail address (name@example.com).");
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
		return N_("Choose a password of at least 8 characters.");
	if (len > ACCOUNT_PASSWORD_MAX)
		return N_("Choose a password of at most 128 characters.");
	for (size_t i = 1; i < len; i++)
		same &= password[i] == password[0];
	if (same)
		return N_("That password is too easy to guess: one character repeated.");
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		if (strcmp(password, common[i]) == 0)
			return N_("That password is one of the most common: choose another.");
	if (email != NULL && strcasecmp(password, email) == 0)
		return N_("Your password cannot be your e-mail address.");
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
	/* The token's SHA-256 only: a stolen database file opens no session. */
	static struct sql q = SQL(0,
	    "INSERT INTO session(token_hash, user_id, csrf, created_at, expires_at)"
	    " VALUES (:token_hash, :user, :csrf, :now, :expires)");
	unsigned char h[crypto_hash_sha256_BYTES];
	struct sql_stmt *st = sql_prepare(db, &q);

	random_token(out->token, sizeof out->token, 32);
	random_token(out->csrf, sizeof out->csrf, 16);
	out->user_id = user_id;
	token_hash(out->token, h);
	sql_bind_blob(st, ":token_hash", h, sizeof h);
	sql_bind_int(st, ":user", user_id);
	sql_bind_text(st, ":csrf", out->csrf);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":expires", now + ttl);
	return sql_run(db, st, NULL);
}

enum bo_status
account_signup(struct db *db, char *email, const char *password, int64_t now,
    int64_t session_ttl, struct session_new *out, const char **why)
{
	char hash[SCRYPT_MCF_LEN];

	if ((*why = account_email_check(email)) != NULL ||
	    (*why = account_password_check(password, email)) != NULL)
		return BO_INVALID;
	/* The slow part, before any lock is taken. */
	if (libscrypt_hash(hash, password, ACCOUNT_SCRYPT_N, ACCOUNT_SCRYPT_R,
	    ACCOUNT_SCRYPT_P) <= 0) {
		core_log(LOG_ERROR, "libscrypt_hash failed");
		return BO_ERROR;
	}
	return account_create_hashed(db, email, hash, now, session_ttl, out);
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
	const char *email;          /* normalised */
	char addr[LOGIN_ADDR_LEN];  /* login_addr_key() of the client */
	char net[LOGIN_ADDR_LEN];   /* login_net_key() of the client */
	bool addr_is_ip;            /* false: the shared key "unknown" */
	int64_t counted_in;         /* the account window it was counted in
	                             * (0: its network had had its share) */
	int64_t user_id;            /* 0: no such account */
	char hash[SCRYPT_MCF_LEN];  /* the stored hash, our own copy */
};

/*
 * The login throttle's storage (login_throttle.h): counts per e-mail and
 * client address, per e-mail and client network, and per e-mail from
 * everywhere. The rule is in C; these statements read and write what it
 * decided.
 */

/* Reads what the throttle knows about t's account and client; zeros for
 * what it has never counted. */
static enum bo_status
counts_read(struct db *db, const struct login_try *t, struct login_counts *c)
{
	enum { ADDR_FAILURES, ADDR_LAST_AT, ADDR_KNOWN_UNTIL, ADDR__COLS };
	static struct sql addr_q = SQL(ADDR__COLS,
	    "SELECT failures, last_at, known_until FROM login_attempt"
	    " WHERE email = :email AND addr = :addr");
	enum { NET_FAILURES, NET_LAST_AT, NET_COUNTED, NET_WINDOW, NET__COLS };
	static struct sql net_q = SQL(NET__COLS,
	    "SELECT failures, last_at, counted, window_start FROM login_network"
	    " WHERE email = :email AND net = :net");
	enum { ACCT_FAILURES, ACCT_WINDOW, ACCT__COLS };
	static struct sql acct_q = SQL(ACCT__COLS,
	    "SELECT failures, window_start FROM login_account"
	    " WHERE email = :email");
	struct sql_stmt *st;
	int rc;

	memset(c, 0, sizeof *c);
	st = sql_prepare(db, &addr_q);
	sql_bind_text(st, ":email", t->email);
	sql_bind_text(st, ":addr", t->addr);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		c->failures = sql_int(st, ADDR_FAILURES);
		c->last_at = sql_int(st, ADDR_LAST_AT);
		c->known_until = sql_int(st, ADDR_KNOWN_UNTIL);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	if (rc != SQLITE_DONE)
		return db_status(db, rc, addr_q.text);
	st = sql_prepare(db, &net_q);
	sql_bind_text(st, ":email", t->email);
	sql_bind_text(st, ":net", t->net);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		c->net_failures = sql_int(st, NET_FAILURES);
		c->net_last_at = sql_int(st, NET_LAST_AT);
		c->net_counted = sql_int(st, NET_COUNTED);
		c->net_window = sql_int(st, NET_WINDOW);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	if (rc != SQLITE_DONE)
		return db_status(db, rc, net_q.text);
	st = sql_prepare(db, &acct_q);
	sql_bind_text(st, ":email", t->email);
	if ((rc = sql_step(st)) == SQLITE_ROW) {
		c->acct_failures = sql_int(st, ACCT_FAILURES);
		c->window_start = sql_int(st, ACCT_WINDOW);
		rc = SQLITE_DONE;
	}
	sql_reset(st);
	return db_status(db, rc, acct_q.text);
}

/* Writes c back: the attempt counted, and what had lapsed reset. */
static enum bo_status
counts_put(struct db *db, const struct login_try *t,
    const struct login_counts *c)
{
	static struct sql addr_q = SQL(0,
	    "INSERT INTO login_attempt(email, addr, failures, last_at)"
	    " VALUES (:email, :addr, :failures, :last_at)"
	    " ON CONFLICT(email, addr) DO UPDATE SET"
	    " failures = excluded.failures, last_at = excluded.last_at");
	static struct sql net_q = SQL(0,
	    "INSERT INTO login_network(email, net, failures, last_at, counted,"
	    " window_start) VALUES (:email, :net, :failures, :last_at, :counted,"
	    " :window_start)"
	    " ON CONFLICT(email, net) DO UPDATE SET failures = excluded.failures,"
	    " last_at = excluded.last_at, counted = excluded.counted,"
	    " window_start = excluded.window_start");
	static struct sql acct_q = SQL(0,
	    "INSERT INTO login_account(email, failures, window_start)"
	    " VALUES (:email, :failures, :window_start)"
	    " ON CONFLICT(email) DO UPDATE SET"
	    " failures = excluded.failures, window_start = excluded.window_start");
	struct sql_stmt *st;
	enum bo_status s;

	st = sql_prepare(db, &addr_q);
	sql_bind_text(st, ":email", t->email);
	sql_bind_text(st, ":addr", t->addr);
	sql_bind_int(st, ":failures", c->failures);
	sql_bind_int(st, ":last_at", c->last_at);
	if ((s = sql_run(db, st, NULL)) != BO_OK)
		return s;
	st = sql_prepare(db, &net_q);
	sql_bind_text(st, ":email", t->email);
	sql_bind_text(st, ":net", t->net);
	sql_bind_int(st, ":failures", c->net_failures);
	sql_bind_int(st, ":last_at", c->net_last_at);
	sql_bind_int(st, ":counted", c->net_counted);
	sql_bind_int(st, ":window_start", c->net_window);
	if ((s = sql_run(db, st, NULL)) != BO_OK)
		return s;
	st = sql_prepare(db, &acct_q);
	sql_bind_text(st, ":email", t->email);
	sql_bind_int(st, ":failures", c->acct_failures);
	sql_bind_int(st, ":window_start", c->window_start);
	return sql_run(db, st, NULL);
}

/*
 * The first half of a login, before any hashing: in one BEGIN IMMEDIATE
 * transaction, read the throttle's counts, decide (login_reserve), count
 * this attempt and read the account's hash. Counting before hashing is
 * what makes the throttle hold under concurrency: the next attempt, in any
 * worker, already sees this one. *retry_after > 0 (BO_THROTTLED): refused,
 * nothing counted.
 */
static enum bo_status
login_begin(struct db *db, struct login_try *t, int64_t now,
    int64_t *retry_after)
{
	enum { USER_ID, USER_HASH, USER__COLS };
	static struct sql user_q = SQL(USER__COLS,
	    "SELECT id, pw_hash FROM user WHERE email = :email");
	struct login_counts c, read;
	struct sql_stmt *st;
	enum bo_status s;
	bool counted = false;
	int rc;

	*retry_after = 0;
	t->user_id = 0;
	t->counted_in = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	s = counts_read(db, t, &c);
	read = c;
	if (s == BO_OK &&
	    (*retry_after = login_reserve(&c, now, &counted)) > 0) {
		/* Not counted. But times a clock set back had left in the
		 * future are stored as now (login_reserve), or the wait told
		 * would never end before the clock caught up with them. */
		if (memcmp(&c, &read, sizeof c) == 0)
			return sql_end(db, BO_THROTTLED);
		if ((s = sql_end(db, counts_put(db, t, &c))) != BO_OK)
			*retry_after = 0;
		return s == BO_OK ? BO_THROTTLED : s;
	}
	if (s == BO_OK)
		s = counts_put(db, t, &c);
	if (s == BO_OK) {
		t->counted_in = counted ? c.window_start : 0;
		st = sql_prepare(db, &user_q);
		sql_bind_text(st, ":email", t->email);
		if ((rc = sql_step(st)) == SQLITE_ROW) {
			t->user_id = sql_int(st, USER_ID);
			snprintf(t->hash, sizeof t->hash, "%s",
			    sql_text(st, USER_HASH));
			rc = SQLITE_DONE;
		}
		sql_reset(st);
		s = db_status(db, rc, user_q.text);
	}
	return sql_end(db, s);
}

/*
 * The second half after the right password, in one transaction: the
 * address's count cleared and the address known from now on (not the
 * shared key "unknown": that would exempt every client), the attempt
 * given back to the network and, if it was counted there, to the
 * account's window; and a session opened. After a wrong one nothing is
 * written: the reserved attempt stays counted.
 */
static enum bo_status
login_succeeded(struct db *db, const struct login_try *t, int64_t now,
    int64_t session_ttl, struct session_new *out)
{
	/* The count cleared, the address known until :known_until (0 for
	 * the shared key "unknown": it stays as it was). */
	static struct sql known_q = SQL(0,
	    "INSERT INTO login_attempt(email, addr, failures, last_at, known_until)"
	    " VALUES (:email, :addr, 0, :now, :known_until)"
	    " ON CONFLICT(email, addr) DO UPDATE SET"
	    " failures = 0, known_until = max(known_until, excluded.known_until)");
	/* Its own attempt taken back from the network; its share of the
	 * account's window too if it was counted in :window (0: it was not). */
	static struct sql net_q = SQL(0,
	    "UPDATE login_network SET failures = failures - (failures > 0),"
	    " counted = counted - (counted > 0 AND window_start = :window)"
	    " WHERE email = :email AND net = :net");
	/* Its own attempt taken back from the account if it was counted in
	 * the window :window and that window still runs (0: it was not). */
	static struct sql acct_q = SQL(0,
	    "UPDATE login_account SET failures = failures - 1"
	    " WHERE email = :email AND window_start = :window AND failures > 0");
	struct sql_stmt *st;
	enum bo_status s;

	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &known_q);
	sql_bind_text(st, ":email", t->email);
	sql_bind_text(st, ":addr", t->addr);
	sql_bind_int(st, ":now", now);
	sql_bind_int(st, ":known_until",
	    t->addr_is_ip ? now + LOGIN_KNOWN_SECONDS : 0);
	s = sql_run(db, st, NULL);
	if (s == BO_OK) {
		st = sql_prepare(db, &net_q);
		sql_bind_text(st, ":email", t->email);
		sql_bind_text(st, ":net", t->net);
		sql_bind_int(st, ":window", t->counted_in);
		s = sql_run(db, st, NULL);
	}
	if (s == BO_OK) {
		st = sql_prepare(db, &acct_q);
		sql_bind_text(st, ":email", t->email);
		sql_bind_int(st, ":window", t->counted_in);
		s = sql_run(db, st, NULL);
	}
	if (s == BO_OK)
		s = session_insert(db, t->user_id, now, session_ttl, out);
	return sql_end(db, s);
}

/* Says once per process (one worker) that client addresses are not IP
 * addresses, and what to configure: until then every such client shares
 * one count, and a few wrong guesses by anyone lock an account for all. */
static void
warn_not_an_address(const char *remote_addr)
{
	static bool said;
	char shown[48];
	size_t i = 0;

	if (said)
		return;
	said = true;
	/* nginx's own text ("unix:"), shortened: the log escapes the rest. */
	for (const char *p = remote_addr ? remote_addr : ""; *p &&
	    i < sizeof shown - 1; p++)
		shown[i++] = *p;
	shown[i] = '\0';
	core_log(LOG_WARN, "REMOTE_ADDR \"%s\" is not an IP address:"
	    " the login throttle counts all such clients as one, so a few wrong"
	    " guesses lock an account for all of them. Behind a proxy on a unix"
	    " socket, give nginx set_real_ip_from unix: and real_ip_header"
	    " (README.md, Security)", shown);
}

enum bo_status
account_login(struct db *db, char *email, const char *password,
    const char *client_addr, int64_t now, int64_t session_ttl,
    struct session_new *out, int64_t *retry_after)
{
	struct login_try t;
	enum bo_status s;
	int match;

	*retry_after = 0;
	/* No account has such an e-mail, and what makes it malformed is
	 * public: the answer costs no scrypt work (or anyone could make a
	 * worker hash for ever without being counted). */
	if (account_email_check(email) != NULL)
		return BO_INVALID;
	t.email = email;
	t.addr_is_ip = login_addr_key(client_addr, t.addr, sizeof t.addr);
	login_net_key(client_addr, t.net, sizeof t.net);
	if (!t.addr_is_ip)
		warn_not_an_address(client_addr);
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
	enum { SESS_USER, SESS_CSRF, SESS_EMAIL, SESS_BALANCE, SESS_ROLES,
	    SESS__COLS };
	static struct sql q = SQL(SESS__COLS,
	    "SELECT s.user_id, s.csrf, u.email, u.balance, " ROLES_OF_USER("u")
	    " FROM session s"
	    " JOIN user u ON u.id = s.user_id"
	    " WHERE s.token_hash = :token_hash AND s.expires_at > :now");
	unsigned char h[crypto_hash_sha256_BYTES];
	struct sql_stmt *st;
	int rc;

	if (!parse_token(token, SESSION_TOKEN_LEN))
		return BO_NOT_FOUND;
	token_hash(token, h);
	st = sql_prepare(db, &q);
	sql_bind_blob(st, ":token_hash", h, sizeof h);
	sql_bind_int(st, ":now", now);
	rc = sql_step(st);
	if (rc == SQLITE_ROW) {
		out->user_id = sql_int(st, SESS_USER);
		snprintf(out->csrf, sizeof out->csrf, "%s", sql_text(st, SESS_CSRF));
		snprintf(out->email, sizeof out->email, "%s",
		    sql_text(st, SESS_EMAIL));
		out->balance = sql_int(st, SESS_BALANCE);
		out->roles = role_set_parse(sql_text(st, SESS_ROLES));
	}
	sql_reset(st);
	if (rc == SQLITE_ROW)
		return BO_OK;
	return rc == SQLITE_DONE ? BO_NOT_FOUND : db_status(db, rc, q.text);
}

enum bo_status
session_destroy(struct db *db, const char *token)
{
	static struct sql q = SQL(0,
	    "DELETE FROM session WHERE token_hash = :token_hash");
	unsigned char h[crypto_hash_sha256_BYTES];
	struct sql_stmt *st;
	enum bo_status s;

	if (!parse_token(token, SESSION_TOKEN_LEN))
		return BO_OK;
	token_hash(token, h);
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_blob(st, ":token_hash", h, sizeof h);
	return sql_end(db, sql_run(db, st, NULL));
}

enum bo_status
session_purge(struct db *db, int64_t now, int64_t *purged)
{
	static struct sql session_q = SQL(0,
	    "DELETE FROM session WHERE expires_at <= :now");
	/* Quiet for LOGIN_FORGET_SECONDS, and not a place the owner is
	 * still known to log in from. */
	static struct sql addr_q = SQL(0,
	    "DELETE FROM login_attempt WHERE last_at <= :forget_before"
	    " AND known_until <= :now");
	static struct sql net_q = SQL(0,
	    "DELETE FROM login_network WHERE last_at <= :forget_before");
	/* Windows begun LOGIN_ACCOUNT_WINDOW ago or more. */
	static struct sql acct_q = SQL(0,
	    "DELETE FROM login_account WHERE window_start <= :window_before");
	struct sql_stmt *st;
	enum bo_status s;

	*purged = 0;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &session_q);
	sql_bind_int(st, ":now", now);
	s = sql_run(db, st, purged);
	if (s == BO_OK) {
		st = sql_prepare(db, &addr_q);
		sql_bind_int(st, ":forget_before", now - LOGIN_FORGET_SECONDS);
		sql_bind_int(st, ":now", now);
		s = sql_run(db, st, NULL);
	}
	if (s == BO_OK) {
		st = sql_prepare(db, &net_q);
		sql_bind_int(st, ":forget_before", now - LOGIN_FORGET_SECONDS);
		s = sql_run(db, st, NULL);
	}
	if (s == BO_OK) {
		st = sql_prepare(db, &acct_q);
		sql_bind_int(st, ":window_before", now - LOGIN_ACCOUNT_WINDOW);
		s = sql_run(db, st, NULL);
	}
	return sql_end(db, s);
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
	/* A taken e-mail fails the UNIQUE constraint: BO_CONFLICT. */
	enum { NEW_ID, NEW__COLS };
	static struct sql q = SQL(NEW__COLS,
	    "INSERT INTO user(email, pw_hash, created_at)"
	    " VALUES (:email, :hash, :now) RETURNING id");
	struct sql_stmt *st;
	enum bo_status s;
	int64_t user = 0;

	if (account_email_check(email) != NULL)
		return BO_INVALID;
	if ((s = db_begin_write(db)) != BO_OK)
		return s;
	st = sql_prepare(db, &q);
	sql_bind_text(st, ":email", email);
	sql_bind_text(st, ":hash", hash);
	sql_bind_int(st, ":now", now);
	if ((s = sql_one_int(db, st, &user)) == BO_OK)
		s = session_insert(db, user, now, session_ttl, out);
	return sql_end(db, s);
}
