/*
 * account.h — buyers: sign-up, login with throttling, sessions.
 *
 * Passwords are hashed with scrypt (libscrypt) outside any transaction; the
 * cost parameters live in the stored hash, so they can be raised later.
 * A session is a 256-bit random token from libsodium, kept by the browser;
 * the database keeps only its SHA-256.
 */
#ifndef BOXOFFICE_ACCOUNT_H
#define BOXOFFICE_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "role.h"

#define ACCOUNT_EMAIL_MAX 254
#define ACCOUNT_PASSWORD_MIN 8
#define ACCOUNT_PASSWORD_MAX 128
#define SESSION_TOKEN_LEN 43 /* 32 bytes, base64url without padding */
#define CSRF_TOKEN_LEN 22    /* 16 bytes, base64url without padding */

struct session_new {
	char token[SESSION_TOKEN_LEN + 1]; /* for the cookie, never stored */
	char csrf[CSRF_TOKEN_LEN + 1];
	int64_t user_id;
};

struct session_info {
	int64_t user_id;
	int64_t balance;
	char email[ACCOUNT_EMAIL_MAX + 1];
	char csrf[CSRF_TOKEN_LEN + 1];
	role_set roles;         /* read with the session: see role.h */
};

/* Lower-cases and checks an e-mail address in place; NULL when acceptable,
 * otherwise a message for the buyer (static storage). */
const char *account_email_check(char *email);
/* NULL when the password may be used, otherwise a message (static). */
const char *account_password_check(const char *password, const char *email);

/*
 * Creates an account and its first session. BO_INVALID with *why set when
 * the e-mail or password is refused (what is wrong with it, for the
 * buyer); BO_CONFLICT when the e-mail is taken (*why NULL: the words are
 * the sign-up's outcome table's, cgi-bin/outcome.c). email is normalised
 * in place.
 */
enum bo_status account_signup(struct db *db, char *email, const char *password,
    int64_t now, int64_t session_ttl, struct session_new *out, const char **why);

/*
 * Checks the password and opens a session: the one login of the HTML form
 * and the API. Every failure — unknown e-mail or wrong password — answers
 * BO_INVALID after the same scrypt work; a malformed e-mail (no account
 * can have it) BO_INVALID at once, uncounted. The login throttle
 * (login_throttle.h) counts the attempt for the e-mail and client_addr
 * (REMOTE_ADDR as nginx gives it; NULL allowed, logged once per process
 * when it is not an IP address) before hashing; when it refuses,
 * BO_THROTTLED with *retry_after the seconds to wait (else 0), and no
 * hashing at all. email is normalised in place.
 */
enum bo_status account_login(struct db *db, char *email, const char *password,
    const char *client_addr, int64_t now, int64_t session_ttl,
    struct session_new *out, int64_t *retry_after);

/* Finds the live session for a cookie token: BO_OK or BO_NOT_FOUND. */
enum bo_status session_lookup(struct db *db, const char *token, int64_t now,
    struct session_info *out);
/* Ends the session of token (a no-op when there is none). */
enum bo_status session_destroy(struct db *db, const char *token);
/* Deletes expired sessions and the login throttle's lapsed counts;
 * *purged counts the sessions. */
enum bo_status session_purge(struct db *db, int64_t now, int64_t *purged);

/*
 * An account created with a given scrypt hash plus its first session, in
 * one short write transaction (no password checks, no scrypt work):
 * account_signup's second half, and, with account_unknown_password_hash()
 * (a valid hash of a random password nobody knows, computed once per
 * process), how boxoffice-admin loadtest-buyers makes thousands of buyers.
 * BO_INVALID for a refused e-mail; BO_CONFLICT when it is taken.
 */
const char *account_unknown_password_hash(void);
enum bo_status account_create_hashed(struct db *db, char *email,
    const char *hash, int64_t now, int64_t session_ttl, struct session_new *out);

/* Fills buf (len >= 2*bytes) with `bytes` random bytes as base64url. */
void random_token(char *buf, size_t len, size_t bytes);

#endif
