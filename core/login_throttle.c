/*
 * login_throttle.c — the login throttle's rule, pure (see login_throttle.h).
 *
 * No SQL and no clock of its own: account.c reads the counts, asks
 * login_reserve() and writes them back in one transaction.
 */
#include "login_throttle.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int64_t
login_delay(int64_t failures)
{
	if (failures < LOGIN_FREE_FAILURES)
		return 0;
	/* 2^10 already passes the cap: no shift can overflow. */
	if (failures >= 10 || (INT64_C(1) << failures) > LOGIN_DELAY_MAX)
		return LOGIN_DELAY_MAX;
	return INT64_C(1) << failures;
}

int64_t
login_network_delay(int64_t failures)
{
	if (failures < LOGIN_NETWORK_FREE)
		return 0;
	return login_delay(failures - LOGIN_NETWORK_FREE + LOGIN_FREE_FAILURES);
}

/* A time after now: the clock was set back (or, by a second, an attempt
 * that began later was counted first). Count from now, so a wait is never
 * longer than the rule's, and so that waiting it out lets the next attempt
 * through: the caller stores these times even when it refuses, or every
 * later attempt would meet them again. */
static void
not_after(int64_t *t, int64_t now)
{
	if (*t > now)
		*t = now;
}

static int64_t
longer(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int64_t
login_reserve(struct login_counts *c, int64_t now, bool *counted)
{
	int64_t wait = 0;
	bool known;

	assert(c->failures >= 0 && c->net_failures >= 0 &&
	    c->net_counted >= 0 && c->acct_failures >= 0);
	*counted = false;
	/* Both window times move together, or the network's share would
	 * belong to no window. */
	if (c->window_start > now && c->net_window == c->window_start)
		c->net_window = now;
	not_after(&c->last_at, now);
	not_after(&c->net_last_at, now);
	not_after(&c->window_start, now);
	not_after(&c->net_window, now);
	/* What has lapsed is gone whether or not this attempt goes ahead. */
	if (c->failures > 0 && now - c->last_at >= LOGIN_FORGET_SECONDS)
		c->failures = 0;
	if (c->net_failures > 0 && now - c->net_last_at >= LOGIN_FORGET_SECONDS)
		c->net_failures = 0;
	if (c->acct_failures > 0 && now - c->window_start >= LOGIN_ACCOUNT_WINDOW)
		c->acct_failures = 0;
	/* The network's share counts in the running window only. */
	if (c->net_counted > 0 &&
	    (c->acct_failures == 0 || c->net_window != c->window_start))
		c->net_counted = 0;
	/* Known for at most LOGIN_KNOWN_SECONDS from now, whatever the clock
	 * said when the owner logged in. */
	known = c->known_until > now &&
	    c->known_until - now <= LOGIN_KNOWN_SECONDS;

	if (c->failures >= LOGIN_FREE_FAILURES)
		wait = c->last_at + login_delay(c->failures) - now;
	if (!known && c->net_failures >= LOGIN_NETWORK_FREE)
		wait = longer(wait, c->net_last_at +
		    login_network_delay(c->net_failures) - now);
	if (!known && c->acct_failures >= LOGIN_ACCOUNT_MAX)
		wait = longer(wait, c->window_start + LOGIN_ACCOUNT_WINDOW - now);
	if (wait > 0)
		return wait;

	c->failures++;
	c->last_at = now;
	c->net_failures++;
	c->net_last_at = now;
	if (c->net_counted < LOGIN_NETWORK_SHARE) {
		if (c->acct_failures++ == 0)
			c->window_start = now;
		c->net_counted++;
		c->net_window = c->window_start;
		*counted = true;
	}
	return 0;
}

/* The key of remote_addr with IPv6 cut to its first `bits` (64 or 48). */
static bool
addr_key(const char *remote_addr, int bits, char *out, size_t len)
{
	unsigned char a[16];

	assert(len >= LOGIN_ADDR_LEN && (bits == 64 || bits == 48));
	if (remote_addr != NULL && inet_pton(AF_INET, remote_addr, a) == 1) {
		inet_ntop(AF_INET, a, out, (socklen_t)len);
		return true;
	}
	if (remote_addr != NULL && inet_pton(AF_INET6, remote_addr, a) == 1) {
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
		char net[INET6_ADDRSTRLEN];

		if (memcmp(a, mapped, sizeof mapped) == 0) {
			inet_ntop(AF_INET, a + 12, out, (socklen_t)len);
			return true;
		}
		memset(a + bits / 8, 0, (size_t)(16 - bits / 8));
		inet_ntop(AF_INET6, a, net, sizeof net);
		snprintf(out, len, "%s/%d", net, bits);
		return true;
	}
	snprintf(out, len, "unknown");
	return false;
}

bool
login_addr_key(const char *remote_addr, char *out, size_t len)
{
	return addr_key(remote_addr, 64, out, len);
}

bool
login_net_key(const char *remote_addr, char *out, size_t len)
{
	return addr_key(remote_addr, 48, out, len);
}

void
login_wait_words(int64_t seconds, char *buf, size_t len)
{
	if (seconds < 1)
		seconds = 1;
	if (seconds < 120) {
		snprintf(buf, len, "%lld second%s", (long long)seconds,
		    seconds == 1 ? "" : "s");
	} else {
		long long m = (long long)(seconds + 59) / 60;

		snprintf(buf, len, "%lld minutes", m);
	}
}
