/*
 * view.h — what every page shares: the base values of the layout (title,
 * who is logged in, the CSRF token, a notice, the language switch), the
 * page's language and its words, money and date formatting in the venue's
 * currency and time zone and the buyer's language, and rendering into the
 * response.
 *
 * Strings returned are owned by the request's arena.
 */
#ifndef BOXOFFICE_VIEW_H
#define BOXOFFICE_VIEW_H

#include <stdint.h>

#include "html.h"
#include "lang.h"
#include "req.h"
#include "tmpl.h"

/* The request's language: an index of tmpl_langs() (lang.h), chosen on
 * first use from the lang cookie and Accept-Language. */
int view_lang(struct req *r);
/* msgid in the request's language (itself when untranslated); static or
 * the catalog's. A format stays a format: use it with arena_printf.
 * API answers never call these: their words stay English (the codes are
 * the contract). */
const char *tr(struct req *r, const char *msgid) __attribute__((format_arg(2)));
/* The same in a context (msgctxt), for a word that reads differently in
 * two places ("date format", "weekday", "month"). */
const char *trc(struct req *r, const char *ctx, const char *msgid)
    __attribute__((format_arg(3)));
/* The form for the number n of a message with a plural ("%s ticket",
 * "%s tickets"), as the request's language writes it (its catalog's
 * Plural-Forms; Korean has one form). */
const char *trn(struct req *r, const char *singular, const char *plural,
    int64_t n) __attribute__((format_arg(2), format_arg(3)));

/* What a redirect may tell the page it leads to (view_redirect). */
enum notice {
	NOTICE_WELCOME, NOTICE_HELLO, NOTICE_BYE, NOTICE_LOGIN,
	NOTICE_ADMITTED, NOTICE_QUEUE_FIRST, NOTICE_TURN_OVER, NOTICE_LEFT,
	NOTICE_PAID, NOTICE_PAID_ALL, NOTICE_BOUGHT, NOTICE_RELEASED, NOTICE_CHARGED, NOTICE_CANCELLED,
	NOTICE_REFUNDED,
	NOTICE__MAX
};

/* A 303 to location whose page shows notice n once: the notice rides in a
 * one-time cookie (auth_set_notice), never in the address, so reloading
 * the page or coming Back to it does not repeat "Paid!". view_page()
 * shows it and clears the cookie. */
void view_redirect(struct req *r, const char *location, enum notice n);

/* A new dictionary for template t with the layout's values filled in (the
 * layout's keys, declared in tmpl.c). */
struct tdict *view_page(struct req *r, enum tmpl t, const char *title);
/* Renders template t with d (made for t) as the response body. */
void view_render(struct req *r, enum tmpl t, const struct tdict *d);

/* "₩165,000", "$12.50", "12.345 KWD" — amount in the currency's minor
 * unit (currency_format). */
const char *view_money(struct req *r, int64_t amount);
/* A movement of money, signed both ways ("+₩132,000", "−₩264,000" with
 * the minus sign, never a hyphen, "₩0"): every ledger on every page. */
const char *view_money_signed(struct req *r, int64_t amount);
/*
 * Times on a page. Each is HTML, a <time> element whose datetime is the
 * instant in ISO 8601 with the venue's offset and whose text is the
 * venue's clock in the buyer's language, naming its zone:
 *   <time datetime="2026-12-24T19:30:00+09:00">19:30 KST</time>
 * (a date alone: datetime="2026-12-24"). With JavaScript, app.js adds the
 * buyer's own clock next to it when their zone differs. Every time a page
 * shows is made here, so none can miss its zone or its datetime; being
 * struct html, one cannot be passed as text (view_set puts it in a
 * template, VIEW_HTMLF in a sentence). The text's format and the day and
 * month names come from the catalog.
 */
/* "Fri 4 Dec 2026" (Korean: "2026년 12월 4일 (금)") */
struct html view_date(struct req *r, int64_t t);
/* "19:30 KST" */
struct html view_time(struct req *r, int64_t t);
/* "19:30:05 KST" */
struct html view_clock(struct req *r, int64_t t);
/* "4 Dec, 19:30 KST" (Korean: "12월 4일 19:30 KST") */
struct html view_datetime(struct req *r, int64_t t);
/* "Wed 23 Dec 2026, 19:30 KST (Asia/Seoul)": a deadline a buyer must
 * not misread, with its zone */
struct html view_datetime_zone(struct req *r, int64_t t);
/* "4 Dec, 19:30 KST" as plain text, for where markup cannot go (the
 * labels of an SVG chart). */
const char *view_datetime_text(struct req *r, int64_t t);
/* Whether a and b are the same day at the venue. */
int view_same_day(struct req *r, int64_t a, int64_t b);

/* Sets key of d to h (tdict_html). */
void view_set(struct tdict *d, const char *key, struct html h);
/* text, escaped. */
struct html view_text(struct req *r, const char *text);
/* A sentence with HTML in it: fmt (a translated msgid) escaped, with each
 * %s, %N$s (or %N$lld, as a msgid has it) replaced by the HTML of that
 * argument, which must be struct html (text goes in through view_text:
 * a bare string does not compile). In the request's arena. */
#define VIEW_HTMLF(r, fmt, ...) view_htmlf((r), (fmt), \
	(const struct html[]){ __VA_ARGS__ }, \
	sizeof((const struct html[]){ __VA_ARGS__ }) / sizeof(struct html))
struct html view_htmlf(struct req *r, const char *fmt,
    const struct html *args, size_t n);
/* "KST (Asia/Seoul)": the venue's zone as now, for a page that says
 * once which zone its times are in. */
const char *view_zone(struct req *r);
/* "KST": the venue's zone's abbreviation as now, for a script that
 * writes clock times of its own (app.js's waiting room). */
const char *view_zone_abbr(struct req *r);
/* "1,000" */
const char *view_count(struct req *r, int64_t n);
/* The path and query this request asked for, safe to use as ?next=
 * (redirect.h), or "/". */
const char *view_here(struct req *r);

#endif
