/*
 * login_throttle.h — the rule that slows password guessing, and its numbers.
 *
 * A client is seen at two sizes: its address (an IPv4 address, or the /64
 * of an IPv6 one: one subscriber's network) and its network (an IPv4
 * address again, or the /48 of an IPv6 one: what one customer or one
 * tunnel can hold — a home gets a /56, a business or a free tunnel a
 * /48). Three counts, all per account (the e-mail as typed, known or
 * not), decide whether a login attempt may be checked at all:
 *
 *  - per address: the attempts since the last success from there. The
 *    first LOGIN_FREE_FAILURES cost nothing; after n of them the next
 *    attempt waits 2^n seconds (32 s, 64 s, … at most LOGIN_DELAY_MAX). So
 *    a guesser at one address gets 9 tries in the first quarter hour and
 *    then 4 an hour, while the owner, logging in from elsewhere, is not
 *    affected. Forgotten after LOGIN_FORGET_SECONDS without attempts.
 *  - per network: the same rule with LOGIN_NETWORK_FREE free attempts
 *    instead of 5, so a client holding a whole /48 (65,536 /64s) still
 *    gets only 104 tries in the first quarter hour and 4 an hour after.
 *    A success takes back only its own attempt here: the network's other
 *    addresses may be someone else.
 *  - per account from everywhere: LOGIN_ACCOUNT_MAX attempts in a fixed
 *    window of LOGIN_ACCOUNT_WINDOW seconds close the account until the
 *    window ends, but each network counts for at most LOGIN_NETWORK_SHARE
 *    of them in a window: only ten networks or more (twelve IPv4
 *    addresses at full speed) can reach this ceiling, never one network
 *    alone.
 *
 * An address the owner logged in from is known for LOGIN_KNOWN_SECONDS
 * after that success (OWASP's "device cookie" in address form): the
 * network's rule and the ceiling do not apply to it, so a distributed
 * attack cannot lock the owner out where they usually log in. Its own
 * address count still applies (someone sharing it guesses no faster).
 * The accepted cost: during such an attack, the owner at an address
 * never logged in from before is held by the ceiling like anyone.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGIN_FREE_FAILURES 5         /* per account and address, no wait */
#define LOGIN_DELAY_MAX 900           /* the longest wait between attempts */
#define LOGIN_FORGET_SECONDS 86400    /* a quiet day forgets a count */
#define LOGIN_NETWORK_FREE 100        /* per account and network, no wait */
#define LOGIN_ACCOUNT_MAX 100         /* per account, every network, … */
#define LOGIN_ACCOUNT_WINDOW 900      /* … in this window (seconds), … */
#define LOGIN_NETWORK_SHARE 10        /* … at most this many from one */
#define LOGIN_KNOWN_SECONDS 2592000   /* 30 days known after a success */

/* What the throttle knows about one account seen from one client. */
struct login_counts {
	/* From this address (IPv4, IPv6 /64): */
	int64_t failures;       /* since its last success there */
	int64_t last_at;        /* the latest of them (0: none) */
	int64_t known_until;    /* the owner logged in from here (0: never) */
	/* From this network (IPv4, IPv6 /48): */
	int64_t net_failures;   /* forgotten after a quiet day */
	int64_t net_last_at;    /* the latest of them (0: none) */
	int64_t net_counted;    /* of them, counted in the account's window… */
	int64_t net_window;     /* …that began then (0: none) */
	/* From everywhere: */
	int64_t acct_failures;  /* in the window */
	int64_t window_start;   /* when that window began (0: none) */
};

/* The wait (seconds) after n failures from one address: 0 while n <
 * LOGIN_FREE_FAILURES, then 2^n, at most LOGIN_DELAY_MAX. */
int64_t login_delay(int64_t failures);

/* The same for one network: 0 while n < LOGIN_NETWORK_FREE, then as an
 * address after 5, 6, … failures (32 s, 64 s, … LOGIN_DELAY_MAX). */
int64_t login_network_delay(int64_t failures);

/*
 * Decides an attempt at now. 0 when it may go ahead: then *c counts it
 * (the reservation to store before hashing) and *counted says whether it
 * went into the account's window (it did not when its network had had
 * its share). Otherwise the seconds to wait before the next attempt can
 * be checked (1 … LOGIN_DELAY_MAX or the rest of the window, even when
 * the clock went backwards), *c unchanged except for what has lapsed (a
 * forgotten count, an ended window) and for times after now, which
 * become now (a clock set back): the caller stores a changed *c even
 * then, so that the wait it tells is the wait.
 */
int64_t login_reserve(struct login_counts *c, int64_t now, bool *counted);

/*
 * The keys of a client address for the throttle, written into out (len >=
 * LOGIN_ADDR_LEN). login_addr_key: IPv4 as dotted quad, IPv6 by its /64
 * ("2001:db8:1:2::/64"); login_net_key: IPv4 the same, IPv6 by its /48
 * ("2001:db8:1::/48"). An IPv4-mapped IPv6 address is its IPv4. Both
 * return false for NULL, empty or anything that is not an IP address
 * (nginx gives "unix:" for a client on a unix socket): every such client
 * shares the key "unknown".
 */
#define LOGIN_ADDR_LEN 64
bool login_addr_key(const char *remote_addr, char *out, size_t len);
bool login_net_key(const char *remote_addr, char *out, size_t len);

/* "1 second", "32 seconds", "15 minutes": a wait for people to read,
 * rounded up to whole minutes from two minutes on; written into the
 * caller's buf (24 bytes suffice). */
void login_wait_words(int64_t seconds, char *buf, size_t len);

#endif
