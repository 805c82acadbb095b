/*
 * login_throttle.h — the rule that slows password guessing, and its numbers.
 *
 * Two counts decide whether a login attempt may be checked at all:
 *
 *  - per account and client address: the attempts since the last success
 *    from there. The first LOGIN_FREE_FAILURES cost nothing; after n of
 *    them the next attempt waits 2^n seconds (32 s, 64 s, … at most
 *    LOGIN_DELAY_MAX). So a guesser at one address gets 9 tries in the
 *    first quarter hour and then 4 an hour, while the owner, logging in
 *    from elsewhere, is not affected. The count is forgotten after
 *    LOGIN_FORGET_SECONDS without attempts from that address.
 *  - per account from every address: LOGIN_ACCOUNT_MAX attempts in a
 *    fixed window of LOGIN_ACCOUNT_WINDOW seconds close the account to
 *    every address until the window ends. One address cannot get near it
 *    (9 tries in a window), so only a distributed attack — at least a
 *    dozen addresses at full speed — can lock the owner out.
 *
 * An attempt is counted before its password is hashed (login_reserve) and
 * given back on success (account.c), so concurrent guesses cannot all pass
 * the same check. The rule itself is pure (login_reserve works on a struct,
 * with the clock passed in): account.c keeps its storage; the unit tests
 * drive it with any clock.
 *
 * The same numbers are in README.md (Security): change both together.
 */
#ifndef BOXOFFICE_LOGIN_THROTTLE_H
#define BOXOFFICE_LOGIN_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define LOGIN_FREE_FAILURES 5         /* per account and address, no wait */
#define LOGIN_DELAY_MAX 900           /* the longest wait between attempts */
#define LOGIN_FORGET_SECONDS 86400    /* a quiet day forgets an address */
#define LOGIN_ACCOUNT_MAX 100         /* per account, every address, … */
#define LOGIN_ACCOUNT_WINDOW 900      /* … in this window (seconds) */

/* What the throttle knows about one account seen from one address. */
struct login_counts {
	int64_t failures;       /* from this address since its last success */
	int64_t last_at;        /* the latest of them (0: none) */
	int64_t acct_failures;  /* from every address in the window */
	int64_t window_start;   /* when that window began (0: none) */
};

/* The wait (seconds) after n failures from one address: 0 while n <
 * LOGIN_FREE_FAILURES, then 2^n, at most LOGIN_DELAY_MAX. */
int64_t login_delay(int64_t failures);

/*
 * Decides an attempt at now. 0 when it may go ahead: then *c counts it
 * (the reservation to store before hashing). Otherwise the seconds to wait
 * before the next attempt can be checked (1 … LOGIN_DELAY_MAX or the rest
 * of the window, even when the clock went backwards), *c unchanged except
 * for what has lapsed (a forgotten address, an ended window) and for
 * times after now, which become now (a clock set back): the caller stores
 * a changed *c even then, so that the wait it tells is the wait.
 */
int64_t login_reserve(struct login_counts *c, int64_t now);

/*
 * The key of a client address for the throttle, written into out (len >=
 * LOGIN_ADDR_LEN): IPv4 as dotted quad; IPv6 by its /64 network
 * ("2001:db8:1:2::/64"), since one subscriber usually holds a whole /64;
 * an IPv4-mapped IPv6 address as its IPv4. NULL, empty or unparsable
 * addresses share the key "unknown".
 */
#define LOGIN_ADDR_LEN 64
void login_addr_key(const char *remote_addr, char *out, size_t len);

/* "1 second", "32 seconds", "15 minutes": a wait for people to read,
 * rounded up to whole minutes from two minutes on; written into the
 * caller's buf (24 bytes suffice). */
void login_wait_words(int64_t seconds, char *buf, size_t len);

#endif
