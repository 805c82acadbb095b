/*
 * test_login.c — the login throttle: its rule (core/login_throttle.c) with
 * a clock the test moves by hand, and account_login() keeping its counts
 * in a real SQLite file.
 *
 * The rule: 5 attempts free per account and address, then 2^n seconds
 * after n of them (32 s … capped at 15 minutes), so 9 tries in the first
 * quarter hour and 104 in a day from one address; per network (IPv6 /48)
 * the same after 100 free, so 104 and 199 however many /64s it holds; a
 * quiet day forgets a count; 100 attempts per account in a 15-minute
 * window close it until the window ends, each network counting for at
 * most 10 of them in a window (ten networks, or twelve IPv4 addresses,
 * to reach it); an address known from a success is exempt from the
 * network's rule and the ceiling, not from its own count; a refusal
 * changes nothing; a clock set back never lengthens a wait. Client
 * addresses are keyed as IPv4, or IPv6 by /64 and by /48.
 *
 * Through account_login: wrong guesses from one address do not lock the
 * owner out at another, and the owner's success does not free the
 * guesser; a success clears its own address's count, makes it known and
 * takes its own attempt back from its network and the account; the
 * ceiling (seeded by SQL: 99 real failures would cost 99 scrypt hashes)
 * locks every address the owner never logged in from; one IPv6 network
 * cannot lock the owner out; the shared key of non-IP addresses never
 * becomes known; an unknown e-mail is throttled exactly like an account;
 * a malformed one is not counted and costs no scrypt work; session_purge
 * drops lapsed counts and keeps known addresses. About 45 scrypt hashes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "arena.h"
#include "db.h"
#include "login_throttle.h"

#include "fixture.h"

/* 2026-01-01 00:00:00 UTC: every test's clock starts here. */
#define NOW INT64_C(1767225600)
#define TTL INT64_C(3600)
#define PASSWORD "correct horse battery"
#define OWNER "owner@example.com"
#define HOME "198.51.100.7"     /* where the owner logs in from */
#define GUESSER "203.0.113.66"  /* where someone else guesses */

/* ---- the rule alone: no database, the clock in our hands ---- */

/* login_reserve() when whether the account counted it does not matter. */
static int64_t
reserve(struct login_counts *c, int64_t now)
{
	bool counted;

	return login_reserve(c, now, &counted);
}

static void
delays_grow_and_stop_at_the_cap(void **state)
{
	(void)state;
	for (int64_t n = 0; n < LOGIN_FREE_FAILURES; n++)
		assert_int_equal(login_delay(n), 0);
	assert_int_equal(login_delay(5), 32);
	assert_int_equal(login_delay(6), 64);
	assert_int_equal(login_delay(7), 128);
	assert_int_equal(login_delay(8), 256);
	assert_int_equal(login_delay(9), 512);
	assert_int_equal(login_delay(10), LOGIN_DELAY_MAX);
	assert_int_equal(login_delay(63), LOGIN_DELAY_MAX);
	assert_int_equal(login_delay(INT64_MAX), LOGIN_DELAY_MAX);
}

static void
five_free_then_each_attempt_waits_longer(void **state)
{
	struct login_counts c = { 0 }, before;
	int64_t t = NOW;

	(void)state;
	for (int i = 0; i < LOGIN_FREE_FAILURES; i++)
		assert_int_equal(reserve(&c, t), 0);
	assert_int_equal(c.failures, 5);
	assert_int_equal(c.acct_failures, 5);
	assert_int_equal(c.window_start, NOW);

	/* The sixth waits 32 s, counted from the fifth; a refusal is not
	 * counted and does not push the wait further. */
	before = c;
	assert_int_equal(reserve(&c, t), 32);
	assert_int_equal(reserve(&c, t + 31), 1);
	assert_memory_equal(&c, &before, sizeof c);
	assert_int_equal(reserve(&c, t + 32), 0);
	t += 32;
	/* Then 64, 128, 256, 512 and at most 900. */
	for (int64_t want = 64; want <= 2048; want *= 2) {
		int64_t d = want > LOGIN_DELAY_MAX ? LOGIN_DELAY_MAX : want;

		assert_int_equal(reserve(&c, t), d);
		assert_int_equal(reserve(&c, t + d - 1), 1);
		assert_int_equal(reserve(&c, t + d), 0);
		t += d;
	}
}

/* How many attempts a guesser trying every second from one address gets
 * through within `seconds`. */
static int
budget(int64_t seconds)
{
	struct login_counts c = { 0 };
	int n = 0;

	for (int64_t t = NOW; t < NOW + seconds; t++)
		if (reserve(&c, t) == 0) {
			n++;
			/* Another account's failures never move this one's:
			 * keep the ceiling out of this count. */
			c.acct_failures = 0;
		}
	return n;
}

static void
one_address_gets_nine_tries_a_quarter_hour(void **state)
{
	(void)state;
	/* 5 at once, then at +32, +96, +224, +480 s; the next at +992. */
	assert_int_equal(budget(900), 9);
	/* ...then one each 15 minutes: 104 in a day, far from a crack. */
	assert_int_equal(budget(86400), 104);
	/* And the ceiling needs at least a dozen addresses in one window. */
	assert_true(LOGIN_ACCOUNT_MAX / budget(LOGIN_ACCOUNT_WINDOW) >= 11);
}

static void
a_quiet_day_forgets_the_address(void **state)
{
	struct login_counts c = { .failures = 7, .last_at = NOW,
	    .acct_failures = 0, .window_start = 0 };

	(void)state;
	/* 128 s after 7 failures: allowed, still the same streak. */
	assert_int_equal(reserve(&c, NOW + 128), 0);
	assert_int_equal(c.failures, 8);
	/* A day after the last attempt: a fresh start. */
	assert_int_equal(reserve(&c, NOW + 128 + LOGIN_FORGET_SECONDS - 1),
	    0);
	assert_int_equal(c.failures, 9);
	assert_int_equal(reserve(&c, c.last_at + LOGIN_FORGET_SECONDS), 0);
	assert_int_equal(c.failures, 1);
}

static void
the_account_ceiling_closes_every_address_for_the_window(void **state)
{
	struct login_counts c = { .acct_failures = LOGIN_ACCOUNT_MAX - 1,
	    .window_start = NOW };
	struct login_counts other;

	(void)state;
	/* The hundredth attempt, from a fresh address, goes ahead... */
	assert_int_equal(reserve(&c, NOW + 10), 0);
	assert_int_equal(c.acct_failures, LOGIN_ACCOUNT_MAX);
	/* ...and then no address may try, however fresh, until the window
	 * that began at NOW ends. */
	other = (struct login_counts){ .acct_failures = c.acct_failures,
	    .window_start = c.window_start };
	assert_int_equal(reserve(&other, NOW + 10),
	    LOGIN_ACCOUNT_WINDOW - 10);
	assert_int_equal(reserve(&other, NOW + LOGIN_ACCOUNT_WINDOW - 1), 1);
	assert_int_equal(other.failures, 0);
	/* A new window, a new count. */
	assert_int_equal(reserve(&other, NOW + LOGIN_ACCOUNT_WINDOW), 0);
	assert_int_equal(other.acct_failures, 1);
	assert_int_equal(other.window_start, NOW + LOGIN_ACCOUNT_WINDOW);
	/* The longer of the two waits wins. */
	c = (struct login_counts){ .failures = 9, .last_at = NOW,
	    .acct_failures = LOGIN_ACCOUNT_MAX, .window_start = NOW - 800 };
	assert_int_equal(reserve(&c, NOW), 512);
	c.window_start = NOW;
	c.last_at = NOW - 500;
	assert_int_equal(reserve(&c, NOW), LOGIN_ACCOUNT_WINDOW);
}

static void
a_clock_set_back_never_lengthens_a_wait(void **state)
{
	struct login_counts c = { .failures = 5, .last_at = NOW + 3600,
	    .acct_failures = LOGIN_ACCOUNT_MAX - 1, .window_start = NOW + 3600 };

	(void)state;
	assert_int_equal(reserve(&c, NOW), 32);
	c.failures = 0;
	c.acct_failures = LOGIN_ACCOUNT_MAX;
	assert_int_equal(reserve(&c, NOW), LOGIN_ACCOUNT_WINDOW);
}

/* After the clock was set back, the wait told is the wait: an attempt
 * made when it is over goes ahead, however far ahead the stored times are. */
static void
after_a_clock_set_back_the_wait_told_is_the_wait(void **state)
{
	struct login_counts c = { .failures = 5, .last_at = NOW + 3600 };

	(void)state;
	assert_int_equal(reserve(&c, NOW), 32);
	assert_int_equal(reserve(&c, NOW + 31), 1);
	assert_int_equal(reserve(&c, NOW + 32), 0);
	assert_int_equal(c.failures, 6);
	assert_int_equal(c.last_at, NOW + 32);

	c = (struct login_counts){ .acct_failures = LOGIN_ACCOUNT_MAX,
	    .window_start = NOW + 3600 };
	assert_int_equal(reserve(&c, NOW), LOGIN_ACCOUNT_WINDOW);
	assert_int_equal(reserve(&c, NOW + LOGIN_ACCOUNT_WINDOW), 0);
	assert_int_equal(c.acct_failures, 1);
	assert_int_equal(c.window_start, NOW + LOGIN_ACCOUNT_WINDOW);
}

/* How many attempts one network gets through within `seconds` when each
 * comes from a fresh address in it (65,536 /64s in a /48), the account's
 * ceiling kept out as in budget(). */
static int
network_budget(int64_t seconds)
{
	struct login_counts c = { 0 };
	int n = 0;

	for (int64_t t = NOW; t < NOW + seconds; t++) {
		c.failures = 0;
		c.last_at = 0;
		if (reserve(&c, t) == 0) {
			n++;
			c.acct_failures = 0;
		}
	}
	return n;
}

static void
one_network_gets_a_hundred_then_waits_like_an_address(void **state)
{
	(void)state;
	assert_int_equal(login_network_delay(LOGIN_NETWORK_FREE - 1), 0);
	assert_int_equal(login_network_delay(LOGIN_NETWORK_FREE), 32);
	assert_int_equal(login_network_delay(LOGIN_NETWORK_FREE + 1), 64);
	assert_int_equal(login_network_delay(LOGIN_NETWORK_FREE + 5),
	    LOGIN_DELAY_MAX);
	assert_int_equal(login_network_delay(INT64_MAX), LOGIN_DELAY_MAX);
	/* 100 at once, then at +32, +96, +224, +480 s; then one each 15
	 * minutes: 199 in a day, however many /64s it holds. */
	assert_int_equal(network_budget(900), 104);
	assert_int_equal(network_budget(86400), 199);
}

/* The account's count when `nets` networks each try `per_net` times at
 * NOW, each attempt from a fresh address; how many the account counted
 * is also checked against login_reserve's *counted. */
static int64_t
ceiling_after(int nets, int per_net, struct login_counts *acct)
{
	int64_t counted_n = 0;

	*acct = (struct login_counts){ 0 };
	for (int n = 0; n < nets; n++) {
		struct login_counts c = { .acct_failures = acct->acct_failures,
		    .window_start = acct->window_start };

		for (int i = 0; i < per_net; i++) {
			bool counted;

			c.failures = 0;
			if (login_reserve(&c, NOW, &counted) != 0)
				break;
			counted_n += counted;
		}
		acct->acct_failures = c.acct_failures;
		acct->window_start = c.window_start;
	}
	assert_int_equal(counted_n, acct->acct_failures);
	return acct->acct_failures;
}

static void
one_network_counts_a_share_of_the_ceiling(void **state)
{
	struct login_counts acct, c;

	(void)state;
	/* One /48 alone, at its full 100: ten of them counted. */
	assert_int_equal(ceiling_after(1, LOGIN_NETWORK_FREE, &acct),
	    LOGIN_NETWORK_SHARE);
	/* Nine networks at full speed are not enough... */
	assert_int_equal(ceiling_after(9, LOGIN_NETWORK_FREE, &acct), 90);
	c = (struct login_counts){ .acct_failures = acct.acct_failures,
	    .window_start = acct.window_start };
	assert_int_equal(reserve(&c, NOW + 1), 0);
	/* ...ten are, and then a fresh network waits for the window's end. */
	assert_int_equal(ceiling_after(10, LOGIN_NETWORK_FREE, &acct),
	    LOGIN_ACCOUNT_MAX);
	c = (struct login_counts){ .acct_failures = acct.acct_failures,
	    .window_start = acct.window_start };
	assert_int_equal(reserve(&c, NOW + 1), LOGIN_ACCOUNT_WINDOW - 1);
	/* IPv4 addresses (each its own network, 9 tries a window): twelve. */
	assert_true(LOGIN_ACCOUNT_MAX / budget(LOGIN_ACCOUNT_WINDOW) ==
	    LOGIN_ACCOUNT_MAX / 9);
	assert_int_equal(ceiling_after(11, 9, &acct), 99);
	assert_int_equal(ceiling_after(12, 9, &acct), LOGIN_ACCOUNT_MAX);
}

static void
a_network_share_belongs_to_its_window(void **state)
{
	struct login_counts c = { .net_failures = 20, .net_last_at = NOW,
	    .net_counted = LOGIN_NETWORK_SHARE, .net_window = NOW,
	    .acct_failures = 50, .window_start = NOW };
	bool counted = true;

	(void)state;
	/* Its share used up: counted for the network, not the account. */
	assert_int_equal(login_reserve(&c, NOW + 1, &counted), 0);
	assert_false(counted);
	assert_int_equal(c.net_failures, 21);
	assert_int_equal(c.acct_failures, 50);
	/* A new window: a new share. */
	assert_int_equal(login_reserve(&c, NOW + LOGIN_ACCOUNT_WINDOW, &counted),
	    0);
	assert_true(counted);
	assert_int_equal(c.acct_failures, 1);
	assert_int_equal(c.net_counted, 1);
	assert_int_equal(c.net_window, NOW + LOGIN_ACCOUNT_WINDOW);
	/* A share from another window (another network's count had started
	 * this one) does not count against this one. */
	c = (struct login_counts){ .net_counted = LOGIN_NETWORK_SHARE,
	    .net_window = NOW - 5, .acct_failures = 50, .window_start = NOW };
	assert_int_equal(login_reserve(&c, NOW + 1, &counted), 0);
	assert_true(counted);
	assert_int_equal(c.net_counted, 1);
	assert_int_equal(c.net_window, NOW);
}

static void
a_known_address_passes_the_network_and_the_ceiling_not_its_own_count(
    void **state)
{
	const struct login_counts closed = { .known_until = NOW + 60,
	    .net_failures = LOGIN_NETWORK_FREE + 9, .net_last_at = NOW,
	    .acct_failures = LOGIN_ACCOUNT_MAX, .window_start = NOW };
	struct login_counts c = closed;

	(void)state;
	/* Known: the network's wait and the closed account do not apply. */
	assert_int_equal(reserve(&c, NOW + 1), 0);
	assert_int_equal(c.failures, 1);
	/* Its own failures still do: whoever shares it guesses no faster. */
	c = closed;
	c.failures = LOGIN_FREE_FAILURES;
	c.last_at = NOW;
	assert_int_equal(reserve(&c, NOW + 1), 31);
	/* Known until then only. */
	c = closed;
	assert_int_equal(reserve(&c, NOW + 60), LOGIN_DELAY_MAX - 60);
	/* A time further ahead than a success can give (a clock set back)
	 * makes nothing known. */
	c = closed;
	c.known_until = NOW + 1 + LOGIN_KNOWN_SECONDS + 1;
	assert_int_equal(reserve(&c, NOW + 1), LOGIN_DELAY_MAX - 1);
	c.known_until = NOW + 1 + LOGIN_KNOWN_SECONDS;
	assert_int_equal(reserve(&c, NOW + 1), 0);
}

static void
a_clock_set_back_moves_the_network_times_too(void **state)
{
	struct login_counts c = { .net_failures = LOGIN_NETWORK_FREE,
	    .net_last_at = NOW + 3600, .net_counted = 3,
	    .net_window = NOW + 3600, .acct_failures = 3,
	    .window_start = NOW + 3600 };

	(void)state;
	assert_int_equal(reserve(&c, NOW), 32);
	assert_int_equal(c.net_last_at, NOW);
	/* The share still belongs to the (moved) window. */
	assert_int_equal(c.window_start, NOW);
	assert_int_equal(c.net_window, NOW);
	assert_int_equal(c.net_counted, 3);
	assert_int_equal(reserve(&c, NOW + 32), 0);
	assert_int_equal(c.net_counted, 4);
}

static void
addresses_are_keyed_ipv4_or_ipv6_by_64_and_48(void **state)
{
	static const struct { const char *in, *key, *net; } cases[] = {
		{ "127.0.0.1", "127.0.0.1", "127.0.0.1" },
		{ "203.0.113.66", "203.0.113.66", "203.0.113.66" },
		{ "2001:db8:1:2::1", "2001:db8:1:2::/64", "2001:db8:1::/48" },
		{ "2001:0db8:0001:0002:ffff:eeee:dddd:cccc", "2001:db8:1:2::/64",
		    "2001:db8:1::/48" },
		{ "2001:db8:1:3::1", "2001:db8:1:3::/64", "2001:db8:1::/48" },
		{ "2001:db8:0:1ff::1", "2001:db8:0:1ff::/64", "2001:db8::/48" },
		{ "::1", "::/64", "::/48" },
		{ "::ffff:192.0.2.7", "192.0.2.7", "192.0.2.7" },
	};
	static const char *const not_ip[] = {
		"", "unix:", "1.2.3", "203.0.113.66, 10.0.0.1", NULL,
	};
	char out[LOGIN_ADDR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_true(login_addr_key(cases[i].in, out, sizeof out));
		assert_string_equal(out, cases[i].key);
		assert_true(login_net_key(cases[i].in, out, sizeof out));
		assert_string_equal(out, cases[i].net);
	}
	for (size_t i = 0; i < sizeof not_ip / sizeof not_ip[0]; i++) {
		assert_false(login_addr_key(not_ip[i], out, sizeof out));
		assert_string_equal(out, "unknown");
		assert_false(login_net_key(not_ip[i], out, sizeof out));
		assert_string_equal(out, "unknown");
	}
}

static void
waits_in_words(void **state)
{
	char w[24];

	(void)state;
	login_wait_words(0, w, sizeof w);
	assert_string_equal(w, "1 second");
	login_wait_words(1, w, sizeof w);
	assert_string_equal(w, "1 second");
	login_wait_words(32, w, sizeof w);
	assert_string_equal(w, "32 seconds");
	login_wait_words(119, w, sizeof w);
	assert_string_equal(w, "119 seconds");
	login_wait_words(120, w, sizeof w);
	assert_string_equal(w, "2 minutes");
	login_wait_words(890, w, sizeof w);
	assert_string_equal(w, "15 minutes");
}

/* ---- through account_login, with a real database ---- */

/* The fixture is fx_db (fixture.h): a fresh, migrated, empty database
 * per test. */

static void
signup_owner(struct fx_db *f)
{
	char e[] = OWNER;
	const char *why = NULL;
	struct session_new sn;

	assert_int_equal(account_signup(f->db, e, PASSWORD, NOW - 60, TTL, &sn,
	    &why), BO_OK);
}

/* One login; *retry_after as account_login leaves it. */
static enum bo_status
login(struct fx_db *f, const char *email, const char *password,
    const char *addr, int64_t now, int64_t *retry_after)
{
	char e[ACCOUNT_EMAIL_MAX + 2];
	struct session_new sn;

	snprintf(e, sizeof e, "%s", email);
	*retry_after = -1;
	return account_login(f->db, e, password, addr, now, TTL, &sn,
	    retry_after);
}

static void
wrong_guesses(struct fx_db *f, const char *email, const char *addr, int n,
    int64_t now)
{
	int64_t retry;

	for (int i = 0; i < n; i++) {
		assert_int_equal(login(f, email, "wrong password!", addr, now,
		    &retry), BO_INVALID);
		assert_int_equal(retry, 0);
	}
}

static int64_t
attempts(struct fx_db *f, const char *email, const char *addr)
{
	return fx_int(f->db, "SELECT coalesce(sum(failures), 0) FROM"
	    " login_attempt WHERE email = '%s' AND addr = '%s'", email, addr);
}

static int64_t
account_attempts(struct fx_db *f, const char *email)
{
	return fx_int(f->db, "SELECT coalesce(sum(failures), 0) FROM"
	    " login_account WHERE email = '%s'", email);
}

static void
a_guesser_elsewhere_does_not_lock_the_owner_out(void **state)
{
	struct fx_db *f = *state;
	int64_t retry;

	signup_owner(f);
	wrong_guesses(f, OWNER, GUESSER, LOGIN_FREE_FAILURES, NOW);
	assert_int_equal(attempts(f, OWNER, GUESSER), 5);

	/* The guesser's address waits, even with the right password... */
	assert_int_equal(login(f, OWNER, PASSWORD, GUESSER, NOW + 1, &retry),
	    BO_THROTTLED);
	assert_int_equal(retry, 31);
	/* ...in any spelling of the address. */
	assert_int_equal(login(f, "Owner@EXAMPLE.com", PASSWORD, GUESSER,
	    NOW + 2, &retry), BO_THROTTLED);
	assert_int_equal(retry, 30);
	/* The owner, at home, logs in. */
	assert_int_equal(login(f, OWNER, PASSWORD, HOME, NOW + 2, &retry), BO_OK);
	assert_int_equal(retry, 0);
	/* That frees nobody else: the guesser still waits. */
	assert_int_equal(login(f, OWNER, PASSWORD, GUESSER, NOW + 3, &retry),
	    BO_THROTTLED);
	assert_int_equal(retry, 29);
	assert_int_equal(attempts(f, OWNER, GUESSER), 5);
	assert_int_equal(attempts(f, OWNER, HOME), 0);
	/* The account's count kept the five failures, not the success. */
	assert_int_equal(account_attempts(f, OWNER), 5);
}

static void
a_success_clears_its_own_address(void **state)
{
	struct fx_db *f = *state;
	int64_t retry;

	signup_owner(f);
	wrong_guesses(f, OWNER, HOME, LOGIN_FREE_FAILURES, NOW);
	assert_int_equal(login(f, OWNER, PASSWORD, HOME, NOW + 31, &retry),
	    BO_THROTTLED);
	assert_int_equal(retry, 1);
	assert_int_equal(login(f, OWNER, PASSWORD, HOME, NOW + 32, &retry), BO_OK);
	assert_int_equal(attempts(f, OWNER, HOME), 0);
	/* The row stays: the address is known now. */
	assert_int_equal(fx_int(f->db, "SELECT known_until FROM login_attempt"
	    " WHERE email = '%s' AND addr = '%s'", OWNER, HOME),
	    NOW + 32 + LOGIN_KNOWN_SECONDS);
	/* Counted from zero again: a slip right after costs no wait. */
	wrong_guesses(f, OWNER, HOME, 1, NOW + 33);
	assert_int_equal(attempts(f, OWNER, HOME), 1);
	assert_int_equal(account_attempts(f, OWNER), 6);
}

static void
the_ceiling_locks_every_address_the_owner_never_logged_in_from(void **state)
{
	struct fx_db *f = *state;
	int64_t retry;

	signup_owner(f);
	/* 98 failures from elsewhere in the window that began at NOW. */
	fx_exec(f->db, "INSERT INTO login_account(email, failures, window_start)"
	    " VALUES ('%s', %d, %lld)", OWNER, LOGIN_ACCOUNT_MAX - 2,
	    (long long)NOW);
	/* Below the ceiling the owner logs in, and takes its attempt back. */
	assert_int_equal(login(f, OWNER, PASSWORD, HOME, NOW + 5, &retry), BO_OK);
	assert_int_equal(account_attempts(f, OWNER), LOGIN_ACCOUNT_MAX - 2);
	/* Two more wrong guesses, from two more addresses: the hundredth. */
	wrong_guesses(f, OWNER, "192.0.2.1", 1, NOW + 10);
	wrong_guesses(f, OWNER, "192.0.2.2", 1, NOW + 10);
	assert_int_equal(account_attempts(f, OWNER), LOGIN_ACCOUNT_MAX);
	/* Now nobody gets in from an address the owner never logged in
	 * from, the owner included (the accepted cost)... */
	assert_int_equal(login(f, OWNER, PASSWORD, "192.0.2.3", NOW + 20, &retry),
	    BO_THROTTLED);
	assert_int_equal(retry, LOGIN_ACCOUNT_WINDOW - 20);
	assert_int_equal(login(f, OWNER, PASSWORD, "2001:db8:7:7::1",
	    NOW + LOGIN_ACCOUNT_WINDOW - 1, &retry), BO_THROTTLED);
	assert_int_equal(retry, 1);
	/* ...but at home, where the owner logged in before, they do. */
	assert_int_equal(login(f, OWNER, PASSWORD, HOME, NOW + 21, &retry), BO_OK);
	assert_int_equal(retry, 0);
	/* Until the window ends. */
	assert_int_equal(login(f, OWNER, PASSWORD, "192.0.2.3",
	    NOW + LOGIN_ACCOUNT_WINDOW, &retry), BO_OK);
	assert_int_equal(account_attempts(f, OWNER), 0);
}

/* What the review found: one client holding a /56 (256 /64s) made 100
 * failures in a window and closed the account to its owner everywhere. */
static void
one_ipv6_network_cannot_lock_the_owner_out(void **state)
{
	struct fx_db *f = *state;
	char from[64];
	int64_t retry;

	signup_owner(f);
	/* 98 failures from 2001:db8:0:1xx::/56 inside 2001:db8::/48 (by SQL:
	 * 98 hashes would be slow), its share of the window counted. */
	fx_exec(f->db, "INSERT INTO login_network(email, net, failures, last_at,"
	    " counted, window_start) VALUES ('%s', '2001:db8::/48', %d, %lld, %d,"
	    " %lld)", OWNER, LOGIN_NETWORK_FREE - 2, (long long)NOW,
	    LOGIN_NETWORK_SHARE, (long long)NOW);
	fx_exec(f->db, "INSERT INTO login_account(email, failures, window_start)"
	    " VALUES ('%s', %d, %lld)", OWNER, LOGIN_NETWORK_SHARE,
	    (long long)NOW);
	/* Two more, each from a fresh /64: its hundredth, not counted by the
	 * account. */
	for (int i = 0; i < 2; i++) {
		snprintf(from, sizeof from, "2001:db8:0:1%02x::1", 0x20 + i);
		wrong_guesses(f, OWNER, from, 1, NOW + 10);
	}
	assert_int_equal(account_attempts(f, OWNER), LOGIN_NETWORK_SHARE);
	/* Then its next /64 waits, as one address would after 5... */
	assert_int_equal(login(f, OWNER, "wrong password!", "2001:db8:0:1ff::1",
	    NOW + 10, &retry), BO_THROTTLED);
	assert_int_equal(retry, 32);
	/* ...while the owner logs in from anywhere else. */
	assert_int_equal(login(f, OWNER, PASSWORD, "198.51.100.1", NOW + 11,
	    &retry), BO_OK);
	assert_int_equal(login(f, OWNER, PASSWORD, "2001:db8:1::1", NOW + 12,
	    &retry), BO_OK);
}

/* An address is known after a success there, for LOGIN_KNOWN_SECONDS. */
static void
a_known_address_is_exempt_from_the_network_and_the_ceiling(void **state)
{
	struct fx_db *f = *state;
	const char *home6 = "2001:db8:0:100::7"; /* the owner's /64, in the /56 */
	int64_t retry;

	signup_owner(f);
	assert_int_equal(login(f, OWNER, PASSWORD, home6, NOW, &retry), BO_OK);
	assert_int_equal(fx_int(f->db, "SELECT known_until FROM login_attempt"
	    " WHERE email = '%s' AND addr = '2001:db8:0:100::/64'", OWNER),
	    NOW + LOGIN_KNOWN_SECONDS);
	/* The network around it has had all its free tries, and the account
	 * is closed. */
	fx_exec(f->db, "UPDATE login_network SET failures = %d, last_at = %lld"
	    " WHERE email = '%s'", LOGIN_NETWORK_FREE + 3, (long long)(NOW + 50),
	    OWNER);
	fx_exec(f->db, "UPDATE login_account SET failures = %d, window_start ="
	    " %lld WHERE email = '%s'", LOGIN_ACCOUNT_MAX, (long long)(NOW + 50),
	    OWNER);
	assert_int_equal(login(f, OWNER, PASSWORD, "2001:db8:0:101::1", NOW + 60,
	    &retry), BO_THROTTLED);
	assert_int_equal(retry, LOGIN_ACCOUNT_WINDOW - 10);
	/* From home the owner gets in, in any spelling of the /64. */
	assert_int_equal(login(f, OWNER, PASSWORD, "2001:db8:0:100:ffff::1",
	    NOW + 60, &retry), BO_OK);
	/* A wrong guess from there is still counted for the address. */
	wrong_guesses(f, OWNER, home6, LOGIN_FREE_FAILURES, NOW + 70);
	assert_int_equal(login(f, OWNER, PASSWORD, home6, NOW + 71, &retry),
	    BO_THROTTLED);
	assert_int_equal(retry, 31);
	/* Thirty days after the last success, home is like anywhere else. */
	assert_int_equal(login(f, OWNER, PASSWORD, home6, NOW + 102, &retry),
	    BO_OK);
	fx_exec(f->db, "UPDATE login_account SET failures = %d, window_start ="
	    " %lld WHERE email = '%s'", LOGIN_ACCOUNT_MAX,
	    (long long)(NOW + 102 + LOGIN_KNOWN_SECONDS), OWNER);
	assert_int_equal(login(f, OWNER, PASSWORD, home6,
	    NOW + 102 + LOGIN_KNOWN_SECONDS, &retry), BO_THROTTLED);
	assert_int_equal(retry, LOGIN_ACCOUNT_WINDOW);
}

/* A success gives back its own attempt: to its network (not the others'
 * failures there), and to the account's window if it was counted in it. */
static void
a_success_gives_back_only_its_own_attempt(void **state)
{
	struct fx_db *f = *state;
	int64_t retry;

	signup_owner(f);
	wrong_guesses(f, OWNER, "2001:db8:5:1::1", 3, NOW);
	assert_int_equal(login(f, OWNER, PASSWORD, "2001:db8:5:2::1", NOW + 1,
	    &retry), BO_OK);
	assert_int_equal(fx_int(f->db, "SELECT failures FROM login_network"
	    " WHERE email = '%s' AND net = '2001:db8:5::/48'", OWNER), 3);
	assert_int_equal(fx_int(f->db, "SELECT counted FROM login_network"
	    " WHERE email = '%s' AND net = '2001:db8:5::/48'", OWNER), 3);
	assert_int_equal(account_attempts(f, OWNER), 3);
	/* The network's share used up: a success there was never counted by
	 * the account, and takes nothing back from it. */
	fx_exec(f->db, "UPDATE login_network SET counted = %d WHERE email = '%s'",
	    LOGIN_NETWORK_SHARE, OWNER);
	assert_int_equal(login(f, OWNER, PASSWORD, "2001:db8:5:3::1", NOW + 2,
	    &retry), BO_OK);
	assert_int_equal(account_attempts(f, OWNER), 3);
	assert_int_equal(fx_int(f->db, "SELECT counted FROM login_network"
	    " WHERE email = '%s'", OWNER), LOGIN_NETWORK_SHARE);
}

/* A client address that is not an IP address (nginx on a unix socket
 * gives "unix:") is the one key "unknown" shared by all such clients: a
 * success there must not make it known, or it would exempt them all. */
static void
the_shared_unknown_key_is_never_known(void **state)
{
	struct fx_db *f = *state;
	int64_t retry;

	signup_owner(f);
	assert_int_equal(login(f, OWNER, PASSWORD, "unix:", NOW, &retry), BO_OK);
	assert_int_equal(login(f, OWNER, PASSWORD, NULL, NOW + 1, &retry), BO_OK);
	assert_int_equal(fx_int(f->db, "SELECT known_until FROM login_attempt"
	    " WHERE email = '%s' AND addr = 'unknown'", OWNER), 0);
}

static void
an_unknown_email_is_throttled_like_an_account(void **state)
{
	struct fx_db *f = *state;
	int64_t retry;

	wrong_guesses(f, "nobody@example.com", GUESSER, LOGIN_FREE_FAILURES, NOW);
	assert_int_equal(login(f, "nobody@example.com", PASSWORD, GUESSER,
	    NOW + 2, &retry), BO_THROTTLED);
	assert_int_equal(retry, 30);
	assert_int_equal(account_attempts(f, "nobody@example.com"), 5);

	/* Something that is no e-mail address is not counted at all. */
	wrong_guesses(f, "not an address", GUESSER, 1, NOW);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_attempt"), 1);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_account"), 1);
}

/* The peak of this process's resident memory (KiB), from /proc. */
static long
peak_rss_kib(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL)
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	fclose(fp);
	assert_true(kib > 0);
	return kib;
}

/* Makes the peak the present (Linux: "5" into clear_refs). */
static void
peak_rss_reset(void)
{
	FILE *fp = fopen("/proc/self/clear_refs", "w");

	assert_non_null(fp);
	assert_true(fputs("5", fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

/* How much the peak of resident memory grew (KiB) during one login. */
static long
login_peak_growth(struct fx_db *f, const char *email)
{
	int64_t retry;
	long before;

	peak_rss_reset();
	before = peak_rss_kib();
	assert_int_equal(login(f, email, "wrong password!", GUESSER, NOW,
	    &retry), BO_INVALID);
	assert_int_equal(retry, 0);
	return peak_rss_kib() - before;
}

/* Not a timing: scrypt at our cost fills 32 MiB, which the peak of
 * resident memory shows, however fast or loaded the machine is. */
static void
a_malformed_email_costs_no_scrypt_work(void **state)
{
	struct fx_db *f = *state;

	/* The measure sees a hash: an unknown, well-formed e-mail... */
	assert_true(login_peak_growth(f, "nobody@example.com") >= 16 * 1024);
	assert_true(login_peak_growth(f, "nobody@example.com") >= 16 * 1024);
	/* ...and no hash for what cannot be an e-mail address, so that a
	 * flood of them (never counted) cannot keep the workers hashing. */
	assert_true(login_peak_growth(f, "not an address") < 16 * 1024);
	assert_true(login_peak_growth(f, "") < 16 * 1024);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_attempt"), 1);
}

/* The same through account_login, with times stored before the clock was
 * set back an hour: the owner told to wait 32 s (an address) or 15 minutes
 * (the ceiling) gets in when that is over, not an hour later. */
static void
a_clock_set_back_keeps_its_word(void **state)
{
	struct fx_db *f = *state;
	int64_t retry;

	signup_owner(f);
	fx_exec(f->db, "INSERT INTO login_attempt(email, addr, failures, last_at)"
	    " VALUES ('%s', '%s', %d, %lld)", OWNER, HOME, LOGIN_FREE_FAILURES,
	    (long long)(NOW + 3600));
	assert_int_equal(login(f, OWNER, PASSWORD, HOME, NOW, &retry),
	    BO_THROTTLED);
	assert_int_equal(retry, 32);
	assert_int_equal(login(f, OWNER, PASSWORD, HOME, NOW + 32, &retry), BO_OK);
	assert_int_equal(attempts(f, OWNER, HOME), 0);

	/* (HOME is known now: the ceiling is met from elsewhere.) */
	fx_exec(f->db, "UPDATE login_account SET failures = %d, window_start ="
	    " %lld WHERE email = '%s'", LOGIN_ACCOUNT_MAX, (long long)(NOW + 3600),
	    OWNER);
	assert_int_equal(login(f, OWNER, PASSWORD, GUESSER, NOW + 40, &retry),
	    BO_THROTTLED);
	assert_int_equal(retry, LOGIN_ACCOUNT_WINDOW);
	assert_int_equal(login(f, OWNER, PASSWORD, GUESSER,
	    NOW + 40 + LOGIN_ACCOUNT_WINDOW, &retry), BO_OK);
}

static void
lapsed_counts_are_purged_known_addresses_kept(void **state)
{
	struct fx_db *f = *state;
	int64_t purged;

	fx_exec(f->db, "INSERT INTO login_attempt(email, addr, failures, last_at)"
	    " VALUES ('a@example.com', '192.0.2.1', 3, %lld),"
	    " ('b@example.com', '192.0.2.1', 3, %lld)",
	    (long long)NOW, (long long)(NOW + 1));
	fx_exec(f->db, "INSERT INTO login_account(email, failures, window_start)"
	    " VALUES ('a@example.com', 3, %lld), ('b@example.com', 3, %lld)",
	    (long long)NOW, (long long)(NOW + 1));
	fx_exec(f->db, "INSERT INTO login_network(email, net, failures, last_at,"
	    " counted, window_start) VALUES ('a@example.com', '192.0.2.1', 3, %lld,"
	    " 3, %lld), ('b@example.com', '192.0.2.1', 3, %lld, 3, %lld)",
	    (long long)NOW, (long long)NOW, (long long)(NOW + 1),
	    (long long)(NOW + 1));
	/* Quiet for longer than a day, but known for a while yet. */
	fx_exec(f->db, "INSERT INTO login_attempt(email, addr, failures, last_at,"
	    " known_until) VALUES ('a@example.com', '192.0.2.9', 0, %lld, %lld)",
	    (long long)(NOW - LOGIN_FORGET_SECONDS),
	    (long long)(NOW + LOGIN_FORGET_SECONDS + 1));

	assert_int_equal(session_purge(f->db, NOW + LOGIN_ACCOUNT_WINDOW,
	    &purged), BO_OK);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_account"), 1);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_attempt"), 3);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_network"), 2);
	assert_int_equal(session_purge(f->db, NOW + LOGIN_FORGET_SECONDS,
	    &purged), BO_OK);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_attempt"), 2);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_network"), 1);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_account"), 0);
	/* Then no longer known: forgotten too. */
	assert_int_equal(session_purge(f->db, NOW + LOGIN_FORGET_SECONDS + 1,
	    &purged), BO_OK);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_attempt"), 0);
	assert_int_equal(fx_int(f->db, "SELECT count(*) FROM login_network"), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_db_setup, fx_db_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(delays_grow_and_stop_at_the_cap),
		cmocka_unit_test(five_free_then_each_attempt_waits_longer),
		cmocka_unit_test(one_address_gets_nine_tries_a_quarter_hour),
		cmocka_unit_test(a_quiet_day_forgets_the_address),
		cmocka_unit_test(the_account_ceiling_closes_every_address_for_the_window),
		cmocka_unit_test(a_clock_set_back_never_lengthens_a_wait),
		cmocka_unit_test(after_a_clock_set_back_the_wait_told_is_the_wait),
		cmocka_unit_test(one_network_gets_a_hundred_then_waits_like_an_address),
		cmocka_unit_test(one_network_counts_a_share_of_the_ceiling),
		cmocka_unit_test(a_network_share_belongs_to_its_window),
		cmocka_unit_test(a_known_address_passes_the_network_and_the_ceiling_not_its_own_count),
		cmocka_unit_test(a_clock_set_back_moves_the_network_times_too),
		cmocka_unit_test(addresses_are_keyed_ipv4_or_ipv6_by_64_and_48),
		cmocka_unit_test(waits_in_words),
		T(a_guesser_elsewhere_does_not_lock_the_owner_out),
		T(a_success_clears_its_own_address),
		T(the_ceiling_locks_every_address_the_owner_never_logged_in_from),
		T(one_ipv6_network_cannot_lock_the_owner_out),
		T(a_known_address_is_exempt_from_the_network_and_the_ceiling),
		T(a_success_gives_back_only_its_own_attempt),
		T(the_shared_unknown_key_is_never_known),
		T(an_unknown_email_is_throttled_like_an_account),
		T(a_malformed_email_costs_no_scrypt_work),
		T(a_clock_set_back_keeps_its_word),
		T(lapsed_counts_are_purged_known_addresses_kept),
	};
#undef T

	return cmocka_run_group_tests_name("login", tests, fx_group_setup, NULL);
}
