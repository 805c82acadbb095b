/*
 * login_throttle.c — the login throttle's rule, pure (see login_throttle.h).
 *
 * No SQL and no clock of its own: account.c reads the counts, asks
 * login_reserve() and writes them back in one transaction.
 */
#include "login_throttle.h"

#include <arpa/inet.h>
#include <assert.h>
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
login_reserve(struct login_counts *c, int64_t now)
{
	int64_t wait = 0;

	assert(c->failures >= 0 && c->acct_failures >= 0);
	/* A time after now: the clock was set back (or, by a second, an
	 * attempt that began later was counted first). Count from now, so a
	 * wait is never longer than the rule's, and so that waiting it out
	 * lets the next attempt through: the caller stores these times even
	 * when it refuses, or every later attempt would meet them again. */
	if (c->last_at > now)
		c->last_at = now;
	if (c->window_start > now)
		c->window_start = now;
	/* What has lapsed is gone whether or not this attempt goes ahead. */
	if (c->failures > 0 && now - c->last_at >= LOGIN_FORGET_SECONDS)
		c->failures = 0;
	if (c->acct_failures > 0 && now - c->window_start >= LOGIN_ACCOUNT_WINDOW)
		c->acct_failures = 0;

	if (c->failures >= LOGIN_FREE_FAILURES)
		wait = c->last_at + login_delay(c->failures) - now;
	if (c->acct_failures >= LOGIN_ACCOUNT_MAX &&
	    c->window_start + LOGIN_ACCOUNT_WINDOW - now > wait)
		wait = c->window_start + LOGIN_ACCOUNT_WINDOW - now;
	if (wait > 0)
		return wait;

	c->failures++;
	c->last_at = now;
	if (c->acct_failures++ == 0)
		c->window_start = now;
	return 0;
}

void
login_addr_key(const char *remote_addr, char *out, size_t len)
{
	unsigned char a[16];

	assert(len >= LOGIN_ADDR_LEN);
	if (remote_addr != NULL && inet_pton(AF_INET, remote_addr, a) == 1) {
		inet_ntop(AF_INET, a, out, (socklen_t)len);
		return;
	}
	if (remote_addr != NULL && inet_pton(AF_INET6, remote_addr, a) == 1) {
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
		char net[INET6_ADDRSTRLEN];

		if (memcmp(a, mapped, sizeof mapped) == 0) {
			inet_ntop(AF_INET, a + 12, out, (socklen_t)len);
			return;
		}
		memset(a + 8, 0, 8);
		inet_ntop(AF_INET6, a, net, sizeof net);
		snprintf(out, len, "%s/64", net);
		return;
	}
	snprintf(out, len, "unknown");
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
