/*
 * view.c — layout values and formatting (see view.h).
 */
#include "view.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "currency.h"
#include "html.h"
#include "redirect.h"
#include "role.h"

/* The notices a redirect may leave for the next page (view_redirect):
 * fixed texts, so that nobody can put words of their own on our page. */
static const struct {
	const char *code, *text;
	int ok; /* a success, shown green */
} notices[NOTICE__MAX] = {
	[NOTICE_WELCOME] = { "welcome", "Welcome! Your account is ready.", 1 },
	[NOTICE_HELLO] = { "hello", "You are logged in.", 1 },
	[NOTICE_BYE] = { "bye", "You are logged out. See you soon.", 0 },
	[NOTICE_LOGIN] = { "login", "Please log in first.", 0 },
	[NOTICE_ADMITTED] = { "admitted", "It is your turn! Choose a date and your seats.", 1 },
	[NOTICE_QUEUE_FIRST] = { "queue_first", "Join the queue first: seats are sold in turn.", 0 },
	[NOTICE_TURN_OVER] = { "turn_over", "Your turn has ended. Join the queue again to buy.", 0 },
	[NOTICE_LEFT] = { "left", "You left the queue; any seat you held unpaid is free again.", 0 },
	[NOTICE_PAID] = { "paid", "Paid! The seat is yours.", 1 },
	[NOTICE_PAID_ALL] = { "paid_all", "Paid! The seats are yours.", 1 },
	[NOTICE_BOUGHT] = { "bought", "You bought your seats: they are on My "
	    "tickets. To buy more, join the queue again.", 1 },
	[NOTICE_RELEASED] = { "released", "The seat is released: anyone may take it now.", 0 },
	[NOTICE_CHARGED] = { "charged", "Your wallet is topped up.", 1 },
	[NOTICE_CANCELLED] = { "cancelled", "Cancelled: the price is back in "
	    "your wallet, and the seat is on sale again.", 1 },
	[NOTICE_REFUNDED] = { "refunded", "Refunded: the price is back in the "
	    "buyer's balance, the code no longer opens the door, and the seat is "
	    "on sale again.", 1 },
};

void
view_redirect(struct req *r, const char *location, enum notice n)
{
	assert(n >= 0 && n < NOTICE__MAX && notices[n].code != NULL);
	auth_set_notice(r, notices[n].code);
	req_redirect(r, location);
}

/*
 * The header's links to the door (staff) and the box office (operators):
 * their pages are reached by a link, not only by typing an address. A
 * read that fails leaves the links out; the pages themselves still check
 * the role (router.c).
 */
static void
nav_roles(struct req *r, struct tdict *d)
{
	int staff = 0, operator = 0;

	if (role_check(r->db, r->session.user_id, ROLE_STAFF, &staff) != BO_OK ||
	    !staff)
		return;
	if (role_check(r->db, r->session.user_id, ROLE_OPERATOR,
	    &operator) != BO_OK)
		operator = 0;
	tdict_bool(d, "is_staff", 1);
	tdict_bool(d, "is_operator", operator);
}

struct tdict *
view_page(struct req *r, enum tmpl t, const char *title)
{
	struct tdict *d = tdict_new(&r->arena, t);
	const char *msg = auth_take_notice(r);

	tdict_str(d, "title", title);
	tdict_bool(d, "logged_in", r->logged_in);
	if (r->logged_in) {
		tdict_str(d, "user_email", r->session.email);
		tdict_str(d, "user_balance", view_money(r, r->session.balance));
		nav_roles(r, d);
	}
	tdict_str(d, "csrf", auth_csrf_token(r));
	{
		struct buf here = BUF_INIT;

		url_encode(&here, view_here(r));
		tdict_str(d, "here", buf_cstr(&here)); /* for ?next= links */
		buf_free(&here);
	}
	for (size_t i = 0; msg && i < NOTICE__MAX; i++)
		if (strcmp(msg, notices[i].code) == 0) {
			tdict_str(d, "notice", notices[i].text);
			tdict_bool(d, "notice_ok", notices[i].ok);
		}
	return d;
}

void
view_render(struct req *r, enum tmpl t, const struct tdict *d)
{
	buf_reset(r->body);
	tmpl_render(r->app->tmpl, t, d, r->body);
}

const char *
view_count(struct req *r, int64_t n)
{
	char digits[32], out[48];
	int len, j = 0;

	len = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? -n : n));
	if (n < 0)
		out[j++] = '-';
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	return arena_strdup(&r->arena, out);
}

const char *
view_money(struct req *r, int64_t amount)
{
	char out[CURRENCY_TEXT_MAX];

	return arena_strdup(&r->arena, currency_format(out,
	    req_settings(r)->currency, amount));
}

/* Applies the venue's time zone to this process when it changed. */
static void
venue_zone(struct req *r)
{
	const char *tz = req_settings(r)->timezone;

	if (strcmp(tz, r->app->tz) != 0) {
		snprintf(r->app->tz, sizeof r->app->tz, "%s", tz);
		setenv("TZ", tz, 1);
		tzset();
	}
}

static const char *
format_time(struct req *r, int64_t t, const char *fmt)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[64];

	venue_zone(r);
	localtime_r(&tt, &tm);
	strftime(out, sizeof out, fmt, &tm);
	return arena_strdup(&r->arena, out);
}

/* Every clock time names its zone (%Z: the venue's abbreviation as the
 * tz database has it, "KST", or its offset, "+04", where it has none): a
 * buyer in another zone must not read 19:30 as theirs. A date alone
 * needs none. */
const char *view_date(struct req *r, int64_t t) { return format_time(r, t, "%a %-d %b %Y"); }
const char *view_time(struct req *r, int64_t t) { return format_time(r, t, "%H:%M %Z"); }
const char *view_clock(struct req *r, int64_t t) { return format_time(r, t, "%H:%M:%S %Z"); }
const char *view_datetime(struct req *r, int64_t t) { return format_time(r, t, "%-d %b, %H:%M %Z"); }

const char *
view_datetime_zone(struct req *r, int64_t t)
{
	return arena_printf(&r->arena, "%s (%s)", format_time(r, t,
	    "%a %-d %b %Y, %H:%M %Z"), req_settings(r)->timezone);
}

const char *
view_zone(struct req *r)
{
	return arena_printf(&r->arena, "%s (%s)", format_time(r, r->now, "%Z"),
	    req_settings(r)->timezone);
}

const char *
view_here(struct req *r)
{
	/* A ?msg= notice belongs to this page view, not to where a later
	 * ?next= leads: drop it. */
	const char *u = redirect_target(r->uri, "/"), *m = strstr(u, "msg="), *rest;
	char *out;
	size_t n;

	if (m == NULL || (m[-1] != '?' && m[-1] != '&'))
		return u;
	rest = m + strcspn(m, "&");
	if (*rest == '&')
		rest++;
	out = arena_printf(&r->arena, "%.*s%s", (int)(m - u), u, rest);
	n = strlen(out);
	if (n > 1 && (out[n - 1] == '?' || out[n - 1] == '&'))
		out[n - 1] = '\0';
	return out;
}
