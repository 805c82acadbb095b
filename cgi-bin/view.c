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
#include "lang.h"
#include "redirect.h"
#include "role.h"

/* The notices a redirect may leave for the next page (view_redirect):
 * fixed texts, so that nobody can put words of their own on our page. */
static const struct {
	const char *code, *text;
	int ok; /* a success, shown green */
} notices[NOTICE__MAX] = {
	[NOTICE_WELCOME] = { "welcome", N_("Welcome! Your account is ready."), 1 },
	[NOTICE_HELLO] = { "hello", N_("You are logged in."), 1 },
	[NOTICE_BYE] = { "bye", N_("You are logged out. See you soon."), 0 },
	[NOTICE_LOGIN] = { "login", N_("Please log in first."), 0 },
	[NOTICE_ADMITTED] = { "admitted", N_("It is your turn! Choose a date and your seats."), 1 },
	[NOTICE_QUEUE_FIRST] = { "queue_first", N_("Join the queue first: seats are sold in turn."), 0 },
	[NOTICE_TURN_OVER] = { "turn_over", N_("Your turn has ended. Join the queue again to buy."), 0 },
	[NOTICE_LEFT] = { "left", N_("You left the queue; any seat you held unpaid is free again."), 0 },
	[NOTICE_PAID] = { "paid", N_("Paid! The seat is yours."), 1 },
	[NOTICE_PAID_ALL] = { "paid_all", N_("Paid! The seats are yours."), 1 },
	[NOTICE_BOUGHT] = { "bought", N_("You bought your seats: they are on My "
	    "tickets. To buy more, join the queue again."), 1 },
	[NOTICE_RELEASED] = { "released", N_("The seat is released: anyone may take it now."), 0 },
	[NOTICE_CHARGED] = { "charged", N_("Your wallet is topped up."), 1 },
	[NOTICE_CANCELLED] = { "cancelled", N_("Cancelled: the price is back in "
	    "your wallet, and the seat is on sale again."), 1 },
	[NOTICE_REFUNDED] = { "refunded", N_("Refunded: the price is back in the "
	    "buyer's balance, the code no longer opens the door, and the seat is "
	    "on sale again."), 1 },
};

int
view_lang(struct req *r)
{
	if (r->lang == 0) {
		const struct langs *ls = tmpl_langs(r->app->tmpl);

		r->lang = 1 + langs_choose(ls, params_get(&r->cookies, LANG_COOKIE),
		    r->accept_language);
	}
	return r->lang - 1;
}

const char *
tr(struct req *r, const char *msgid)
{
	return langs_tr(tmpl_langs(r->app->tmpl), view_lang(r), NULL, msgid);
}

const char *
trn(struct req *r, const char *singular, const char *plural, int64_t n)
{
	assert(n >= 0);
	return langs_trn(tmpl_langs(r->app->tmpl), view_lang(r), singular,
	    plural, (unsigned long)n);
}

const char *
trc(struct req *r, const char *ctx, const char *msgid)
{
	return langs_tr(tmpl_langs(r->app->tmpl), view_lang(r), ctx, msgid);
}

/* The switch on every page: each language in its own name, the current
 * one marked; a plain link (GET /lang, page_lang.c), so it works without
 * JavaScript and from any page, even one made before a login. */
static void
lang_switch(struct req *r, struct tdict *d)
{
	const struct langs *ls = tmpl_langs(r->app->tmpl);
	int cur = view_lang(r);

	tdict_str(d, "lang", ls->l[cur].code);
	tdict_bool(d, "lang_switch", ls->n > 1);
	for (int i = 0; ls->n > 1 && i < ls->n; i++) {
		struct tdict *item = tdict_add(d, "langs");

		tdict_str(item, "lang_code", ls->l[i].code);
		tdict_str(item, "lang_name", ls->l[i].name);
		tdict_bool(item, "lang_current", i == cur);
	}
	req_header(r, "Content-Language", ls->l[cur].code);
}

void
view_redirect(struct req *r, const char *location, enum notice n)
{
	assert(n >= 0 && n < NOTICE__MAX && notices[n].code != NULL);
	auth_set_notice(r, notices[n].code);
	req_redirect(r, location);
}

/*
 * The header's links to the door (staff) and the box office (operators):
 * their pages are reached by a link, not only by typing an address. The
 * roles came with the session's read.
 */
static void
nav_roles(struct req *r, struct tdict *d)
{
	tdict_bool(d, "is_staff", role_set_allows(r->session.roles, ROLE_STAFF));
	tdict_bool(d, "is_operator", role_set_allows(r->session.roles,
	    ROLE_OPERATOR));
}

struct tdict *
view_page(struct req *r, enum tmpl t, const char *title)
{
	struct tdict *d = tdict_new(&r->arena, t);
	const char *msg = auth_take_notice(r);

	lang_switch(r, d);
	tdict_str(d, "title", tr(r, title)); /* a msgid, or a name of the catalogue's */
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
			tdict_str(d, "notice", tr(r, notices[i].text));
			tdict_bool(d, "notice_ok", notices[i].ok);
		}
	return d;
}

void
view_render(struct req *r, enum tmpl t, const struct tdict *d)
{
	buf_reset(r->body);
	tmpl_render(r->app->tmpl, view_lang(r), t, d, r->body);
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

const char *
view_money_signed(struct req *r, int64_t amount)
{
	char out[CURRENCY_TEXT_MAX];

	return arena_strdup(&r->arena, currency_format_signed(out,
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

/* The names strftime would take from the C library's locale (which is C
 * here, and one per process): from the catalog instead. */
static const char *const weekdays[7] = {
	NC_("weekday", "Sun"), NC_("weekday", "Mon"), NC_("weekday", "Tue"),
	NC_("weekday", "Wed"), NC_("weekday", "Thu"), NC_("weekday", "Fri"),
	NC_("weekday", "Sat"),
};
static const char *const months[12] = {
	NC_("month", "Jan"), NC_("month", "Feb"), NC_("month", "Mar"),
	NC_("month", "Apr"), NC_("month", "May"), NC_("month", "Jun"),
	NC_("month", "Jul"), NC_("month", "Aug"), NC_("month", "Sep"),
	NC_("month", "Oct"), NC_("month", "Nov"), NC_("month", "Dec"),
};

/* fmt (strftime's) with %a and %b written out in the request's language,
 * then strftime for the numbers and the zone. */
static const char *
format_time(struct req *r, int64_t t, const char *fmt)
{
	time_t tt = (time_t)t;
	struct tm tm;
	struct buf f = BUF_INIT;
	char out[128];

	venue_zone(r);
	localtime_r(&tt, &tm);
	for (const char *p = fmt; *p != '\0'; p++) {
		const char *name = NULL;

		if (p[0] == '%' && p[1] == 'a')
			name = trc(r, "weekday", weekdays[tm.tm_wday % 7]);
		else if (p[0] == '%' && p[1] == 'b')
			name = trc(r, "month", months[tm.tm_mon % 12]);
		else if (p[0] == '%' && p[1] != '\0') {
			buf_put(&f, p, 2);
			p++;
			continue;
		}
		if (name == NULL) {
			buf_put(&f, p, 1);
			continue;
		}
		for (; *name != '\0'; name++) /* a name is text, not a format */
			if (*name != '%')
				buf_put(&f, name, 1);
		p++;
	}
	if (strftime(out, sizeof out, buf_cstr(&f), &tm) == 0)
		out[0] = '\0';
	buf_free(&f);
	return arena_strdup(&r->arena, out);
}

/*
 * The datetime of a <time>: the instant with the venue's offset,
 * "2026-12-24T19:30:00+09:00" (HTML's global date and time, which
 * Date.parse reads), or the venue's day alone, "2026-12-24".
 */
static void
put_iso(struct req *r, struct buf *b, int64_t t, int with_clock)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[40];
	long off;

	venue_zone(r);
	localtime_r(&tt, &tm);
	if (!with_clock) {
		strftime(out, sizeof out, "%Y-%m-%d", &tm);
		buf_puts(b, out);
		return;
	}
	strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_puts(b, out);
	off = tm.tm_gmtoff;
	buf_printf(b, "%c%02ld:%02ld", off < 0 ? '-' : '+',
	    labs(off) / 3600, labs(off) % 3600 / 60);
}

/* <time datetime="ISO">text</time>, text escaped. */
static struct html
time_html(struct req *r, int64_t t, int with_clock, const char *text)
{
	struct buf b = BUF_INIT;
	struct html h;

	buf_puts(&b, "<time datetime=\"");
	put_iso(r, &b, t, with_clock);
	buf_puts(&b, "\">");
	html_puts(&b, text);
	buf_puts(&b, "</time>");
	h.len = b.len;
	h.s = arena_strndup(&r->arena, buf_cstr(&b), b.len);
	buf_free(&b);
	return h;
}

/* Every clock time names its zone (%Z: the venue's abbreviation as the
 * tz database has it, "KST", or its offset, "+04", where it has none): a
 * buyer in another zone must not read 19:30 as theirs. A date alone
 * needs none. */

/* TRANSLATORS: strftime formats of the pages' dates, %a and %b the
 * weekday and month names translated below ("weekday", "month"). Korean:
 * "%Y년 %-m월 %-d일 (%a)". */
struct html
view_date(struct req *r, int64_t t)
{
	return time_html(r, t, 0, format_time(r, t, trc(r, "date format",
	    "%a %-d %b %Y")));
}

struct html
view_time(struct req *r, int64_t t)
{
	return time_html(r, t, 1, format_time(r, t, "%H:%M %Z"));
}

struct html
view_clock(struct req *r, int64_t t)
{
	return time_html(r, t, 1, format_time(r, t, "%H:%M:%S %Z"));
}

const char *
view_datetime_text(struct req *r, int64_t t)
{
	/* TRANSLATORS: Korean: "%-m월 %-d일 %H:%M %Z". */
	return format_time(r, t, trc(r, "date format", "%-d %b, %H:%M %Z"));
}

struct html
view_datetime(struct req *r, int64_t t)
{
	return time_html(r, t, 1, view_datetime_text(r, t));
}

struct html
view_datetime_zone(struct req *r, int64_t t)
{
	/* TRANSLATORS: Korean: "%Y년 %-m월 %-d일 (%a) %H:%M %Z". */
	return time_html(r, t, 1, arena_printf(&r->arena, "%s (%s)",
	    format_time(r, t, trc(r, "date format", "%a %-d %b %Y, %H:%M %Z")),
	    req_settings(r)->timezone));
}

int
view_same_day(struct req *r, int64_t a, int64_t b)
{
	return strcmp(format_time(r, a, "%Y-%m-%d"),
	    format_time(r, b, "%Y-%m-%d")) == 0;
}

void
view_set(struct tdict *d, const char *key, struct html h)
{
	assert(h.s != NULL);
	tdict_html(d, key, h.s, h.len);
}

struct html
view_text(struct req *r, const char *text)
{
	struct buf b = BUF_INIT;
	struct html h;

	html_puts(&b, text);
	h.len = b.len;
	h.s = arena_strndup(&r->arena, buf_cstr(&b), b.len);
	buf_free(&b);
	return h;
}

struct html
view_htmlf(struct req *r, const char *fmt, const struct html *args, size_t n)
{
	struct buf b = BUF_INIT;
	struct html h;
	size_t next = 0;

	for (const char *p = fmt; *p != '\0'; p++) {
		size_t i;
		char *end;

		if (p[0] != '%') {
			html_putn(&b, p, 1);
			continue;
		}
		if (p[1] == '%') {
			buf_putc(&b, '%');
			p++;
			continue;
		}
		/* %s takes the next argument, %N$… the Nth (a translation may
		 * reorder them); the conversion itself is the msgid's, for
		 * msgfmt --check: the argument is HTML whatever it says. */
		i = strtoul(p + 1, &end, 10);
		if (end > p + 1 && *end == '$')
			i--, p = end;
		else
			i = next++;
		p += strspn(p + 1, "hlqjzt") + 1;
		assert(i < n && *p != '\0');
		if (i < n)
			buf_put(&b, args[i].s, args[i].len);
		if (*p == '\0')
			break;
	}
	h.len = b.len;
	h.s = arena_strndup(&r->arena, buf_cstr(&b), b.len);
	buf_free(&b);
	return h;
}

const char *
view_zone(struct req *r)
{
	return arena_printf(&r->arena, "%s (%s)", format_time(r, r->now, "%Z"),
	    req_settings(r)->timezone);
}

const char *
view_zone_abbr(struct req *r)
{
	return format_time(r, r->now, "%Z");
}

const char *
view_here(struct req *r)
{
	/* A ?msg= notice belongs to this page view, not to where a later
	 * ?next= leads: drop it. */
	const char *u = redirect_target(r->page ? r->page : r->uri, "/"),
	    *m = strstr(u, "msg="), *rest;
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
