/*
 * when.c — people's time (see when.h).
 *
 * Hand-written because no Debian library reads "2026-12-24 19:30" in a
 * named zone and refuses the times a zone skips or repeats: strptime()
 * takes no zone, and mktime() with tm_isdst = -1 silently picks one
 * answer for a time that does not exist or exists twice. The C library
 * still does all the calendar and tz work (timegm, localtime_r, tzdata);
 * this file only decides which instants a wall-clock time can be.
 *
 * How a wall-clock time is resolved: read the fields as if they were UTC
 * (u = timegm), take the zone's UTC offsets a day before and a day after
 * (localtime_r's tm_gmtoff), and keep each offset o for which the instant
 * u - o really has offset o. One survivor: that is the time. None: the
 * clocks skipped it. Two: the clocks showed it twice. Probing offsets
 * rather than the two DST states also catches changes of standard time,
 * where both sides have tm_isdst = 0 (Europe/Moscow on 2014-10-26 went
 * from UTC+4 to UTC+3): mktime() cannot see those as ambiguous at all.
 * This assumes a zone changes its offset at most once within two days,
 * true of every zone in tzdata.
 */
#include "when.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "setting.h"

#define DAY 86400
/* The widest offset accepted after a time: beyond every zone's. */
#define OFFSET_MAX (18 * 3600)

/* A wall-clock time as typed, with its offset when one was given. */
struct wall {
	int y, mo, d, h, mi, s;
	int has_s, has_off;
	long off; /* seconds east of UTC */
};

int
when_use_zone(const char *zone, char *err, size_t errlen)
{
	const char *cur = getenv("TZ");

	assert(zone != NULL && err != NULL && errlen > 0);
	if (cur != NULL && strcmp(cur, zone) == 0)
		return 1;
	if (!setting_valid(SETTING_TIMEZONE, zone, err, errlen))
		return 0;
	if (setenv("TZ", zone, 1) != 0) {
		snprintf(err, errlen, "cannot switch to time zone %s", zone);
		return 0;
	}
	tzset();
	return 1;
}

/* Reads exactly n digits at *p into *v and moves past them. */
static int
digits(const char **p, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return 0;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 1;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Whether s is short printable ASCII, fit to be quoted back. */
static int
quotable(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return n <= 40;
}

static int
days_in_month(int y, int mo)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mo == 2 && leap ? 29 : days[mo - 1];
}

/*
 * Reads DATE SEP TIME [OFFSET] into *w. 0 when the text has another
 * shape; the ranges are checked by the caller.
 */
static int
read_wall(const char *p, struct wall *w)
{
	int oh = 0, om = 0, sign;

	memset(w, 0, sizeof *w);
	if (!digits(&p, 4, &w->y) || *p++ != '-' || !digits(&p, 2, &w->mo) ||
	    *p++ != '-' || !digits(&p, 2, &w->d))
		return 0;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return 0;
	p++;
	if (!digits(&p, 2, &w->h) || *p++ != ':' || !digits(&p, 2, &w->mi))
		return 0;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &w->s))
			return 0;
		w->has_s = 1;
	}
	if (*p == 'Z' || *p == 'z') {
		w->has_off = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &oh))
			return 0;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &om))
				return 0;
		} else if (*p != '\0' && !digits(&p, 2, &om))
			return 0;
		if (oh * 3600 + om * 60 > OFFSET_MAX || om > 59)
			return 0;
		w->has_off = 1;
		w->off = sign * (long)(oh * 3600 + om * 60);
	}
	return *p == '\0';
}

/* The zone's offset from UTC at instant t, in seconds east. */
static long
offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* Writes an offset as +HH:MM. */
static void
offset_text(long off, char out[8])
{
	long a = off < 0 ? -off : off;

	snprintf(out, 8, "%c%02ld:%02ld", off < 0 ? '-' : '+', a / 3600 % 100,
	    a / 60 % 60);
}

/* Writes instant t as local time with its abbreviation and offset:
 * "2026-11-01 01:30 EDT (UTC-04:00)". */
static void
local_text(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char when[48], off[8];

	localtime_r(&tt, &tm);
	strftime(when, sizeof when, tm.tm_sec ? "%Y-%m-%d %H:%M:%S %Z" :
	    "%Y-%m-%d %H:%M %Z", &tm);
	offset_text(tm.tm_gmtoff, off);
	snprintf(out, len, "%s (UTC%s)", when, off);
}

/* The wall clock as typed, "2026-11-01 01:30" (":SS" when given). */
static void
wall_text(const struct wall *w, char sep, char *out, size_t len)
{
	if (w->has_s)
		snprintf(out, len, "%04d-%02d-%02d%c%02d:%02d:%02d", w->y, w->mo,
		    w->d, sep, w->h, w->mi, w->s);
	else
		snprintf(out, len, "%04d-%02d-%02d%c%02d:%02d", w->y, w->mo, w->d,
		    sep, w->h, w->mi);
}

/*
 * Explains why wall time w (u as if UTC) does not exist in zone: finds
 * the moment between the two probes where the offset changed from before
 * to after and says what the clocks showed on either side.
 */
static void
explain_gap(const struct wall *w, const char *zone, int64_t u, long before,
    long after, char *err, size_t errlen)
{
	int64_t lo = u - DAY, hi = u + DAY;
	char typed[24], from[32], to[32], abbr[16];
	time_t tt;
	struct tm tm;

	wall_text(w, ' ', typed, sizeof typed);
	if (before == after) {
		snprintf(err, errlen, "%s does not exist in %s: the clocks skip it",
		    typed, zone);
		return;
	}
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (offset_at(mid) == before)
			lo = mid;
		else
			hi = mid;
	}
	/* Just before hi the old offset's abbreviation; at hi the clocks
	 * show the new time. The old clock would have read hi + before. */
	tt = (time_t)(hi - 1);
	localtime_r(&tt, &tm);
	snprintf(abbr, sizeof abbr, "%s", tm.tm_zone);
	tt = (time_t)(hi + before);
	gmtime_r(&tt, &tm);
	strftime(from, sizeof from, "%Y-%m-%d %H:%M", &tm);
	snprintf(from + strlen(from), sizeof from - strlen(from), " %s", abbr);
	tt = (time_t)hi;
	localtime_r(&tt, &tm);
	strftime(to, sizeof to, "%Y-%m-%d %H:%M %Z", &tm);
	snprintf(err, errlen, "%s does not exist in %s: the clocks go forward "
	    "from %s straight to %s; pick a time outside that gap", typed, zone,
	    from, to);
}

/* Finds the instant of wall time w in the process's zone (applied). */
static int
resolve_local(const struct wall *w, const char *zone, int64_t u,
    int64_t *out, char *err, size_t errlen)
{
	long probe[2] = { offset_at(u - DAY), offset_at(u + DAY) };
	int64_t found[2];
	long found_off[2];
	int n = 0;

	for (int i = 0; i < 2; i++) {
		if (i == 1 && probe[1] == probe[0])
			break;
		if (offset_at(u - probe[i]) == probe[i]) {
			found_off[n] = probe[i];
			found[n++] = u - probe[i];
		}
	}
	if (n == 0) {
		explain_gap(w, zone, u, probe[0], probe[1], err, errlen);
		return 0;
	}
	if (n == 2) {
		char typed[24], a[64], b[64], iso_a[40], iso_b[40], oa[8], ob[8];
		int first = found[0] < found[1] ? 0 : 1;

		wall_text(w, ' ', typed, sizeof typed);
		local_text(found[first], a, sizeof a);
		local_text(found[!first], b, sizeof b);
		wall_text(w, 'T', iso_a, sizeof iso_a);
		wall_text(w, 'T', iso_b, sizeof iso_b);
		offset_text(found_off[first], oa);
		offset_text(found_off[!first], ob);
		snprintf(err, errlen, "%s is ambiguous in %s: the clocks go back "
		    "and show it twice, first as %s = @%lld, then as %s = @%lld; "
		    "write %s%s or %s%s", typed, zone, a, (long long)found[first],
		    b, (long long)found[!first], iso_a, oa, iso_b, ob);
		return 0;
	}
	*out = found[0];
	return 1;
}

int
when_parse(const char *text, const char *zone, int64_t *out, char *err,
    size_t errlen)
{
	struct wall w;
	struct tm tm;
	int64_t u, t, v;

	assert(text != NULL && zone != NULL && out != NULL);
	assert(err != NULL && errlen > 0);
	err[0] = '\0';
	if (text[0] == '@' || all_digits(text)) {
		const char *num = text[0] == '@' ? text + 1 : text;

		/* 8 digits look like YYYYMMDD, more than 10 like YYYYMMDDhhmm:
		 * a date typed compactly, not seconds. */
		if (text[0] != '@' && (strlen(text) == 8 || strlen(text) > 10)) {
			snprintf(err, errlen, "%s%s%s looks like a compact date, not "
			    "Unix seconds: write the date as 2026-12-24 19:30 (or "
			    "seconds as @%s)",
			    quotable(text) ? "\"" : "", quotable(text) ? text : "that",
			    quotable(text) ? "\"" : "", quotable(text) ? text : "N");
			return 0;
		}
		if (!parse_int64(num, 0, WHEN_MAX, &v)) {
			snprintf(err, errlen, "Unix seconds are a whole number from 0 "
			    "to %lld, written without leading zeros", (long long)WHEN_MAX);
			return 0;
		}
		*out = v;
		return 1;
	}
	if (!read_wall(text, &w)) {
		snprintf(err, errlen, "%s%s%s is not a time: write 2026-12-24 19:30 "
		    "(in %s), 2026-12-24T19:30+09:00, or Unix seconds as @1798108200",
		    quotable(text) ? "\"" : "", quotable(text) ? text : "that",
		    quotable(text) ? "\"" : "", zone);
		return 0;
	}
	if (w.y < 1970 || w.mo < 1 || w.mo > 12 || w.d < 1 ||
	    w.d > days_in_month(w.y, w.mo)) {
		snprintf(err, errlen, "%04d-%02d-%02d is not a date (from 1970 on)",
		    w.y, w.mo, w.d);
		return 0;
	}
	if (w.h > 23 || w.mi > 59 || w.s > 59) {
		snprintf(err, errlen, "%02d:%02d:%02d is not a time of day "
		    "(00:00 to 23:59:59)", w.h, w.mi, w.s);
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = w.y - 1900;
	tm.tm_mon = w.mo - 1;
	tm.tm_mday = w.d;
	tm.tm_hour = w.h;
	tm.tm_min = w.mi;
	tm.tm_sec = w.s;
	u = (int64_t)timegm(&tm);
	if (w.has_off)
		t = u - w.off;
	else if (!when_use_zone(zone, err, errlen) ||
	    !resolve_local(&w, zone, u, &t, err, errlen))
		return 0;
	if (t < 0 || t > WHEN_MAX) {
		snprintf(err, errlen, "that is outside 1970-01-01 to 9999-12-31 UTC");
		return 0;
	}
	*out = t;
	return 1;
}

const char *
when_format(int64_t t, const char *zone, char *out, size_t len)
{
	char err[WHEN_ERR_MAX];
	time_t tt = (time_t)t;
	struct tm tm;

	assert(out != NULL && len >= WHEN_TEXT_MAX);
	assert(t >= 0 && t <= WHEN_MAX);
	if (zone != NULL && when_use_zone(zone, err, sizeof err)) {
		localtime_r(&tt, &tm);
		strftime(out, len, tm.tm_sec ? "%Y-%m-%d %H:%M:%S %Z" :
		    "%Y-%m-%d %H:%M %Z", &tm);
	} else {
		gmtime_r(&tt, &tm);
		strftime(out, len, tm.tm_sec ? "%Y-%m-%d %H:%M:%S UTC" :
		    "%Y-%m-%d %H:%M UTC", &tm);
	}
	return out;
}
