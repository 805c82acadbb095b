/*
 * test_when.c — people's time (core/when.h).
 *
 * Wall-clock times read in real zones with real transitions from the
 * system's tzdata: America/New_York and Europe/Berlin (a skipped hour in
 * spring, a repeated hour in autumn), Europe/Moscow 2014 (a change of
 * standard time that no DST flag shows), Asia/Seoul (no DST). Offsets and
 * Unix seconds, refusals with their messages, formatting, and a year of
 * half-hours read back from their own wall-clock text.
 *
 * The expected instants were taken from GNU date with the same tzdata
 * (Debian 12: tzdata 2025b-0+deb12u2),
 * e.g. TZ=Asia/Seoul date -d '2026-12-24 19:30' +%s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "when.h"

#define SENTINEL INT64_C(-4242)
#define XMAS INT64_C(1798108200) /* 2026-12-24 19:30 KST = 10:30 UTC */

static void
reads(const char *text, const char *zone, int64_t want)
{
	char err[WHEN_ERR_MAX];
	int64_t t = SENTINEL;

	if (!when_parse(text, zone, &t, err, sizeof err) || t != want) {
		print_error("when_parse(\"%s\", %s) gave %lld (%s), want %lld\n",
		    text, zone, (long long)t, err, (long long)want);
		fail();
	}
}

/* Refuses text and returns the message, which must mention each of the
 * NULL-terminated words. */
static void
refuses(const char *text, const char *zone, ...)
{
	static char err[WHEN_ERR_MAX];
	int64_t t = SENTINEL;
	const char *word;
	va_list ap;

	if (when_parse(text, zone, &t, err, sizeof err) || t != SENTINEL) {
		print_error("when_parse(\"%s\", %s) accepted it as %lld\n", text,
		    zone, (long long)t);
		fail();
	}
	if (err[0] == '\0') {
		print_error("when_parse(\"%s\") refused it without a message\n", text);
		fail();
	}
	va_start(ap, zone);
	while ((word = va_arg(ap, const char *)) != NULL) {
		if (strstr(err, word) == NULL) {
			print_error("message for \"%s\" lacks \"%s\": %s\n", text, word,
			    err);
			fail();
		}
	}
	va_end(ap);
}

static void
formats(int64_t t, const char *zone, const char *want)
{
	char out[WHEN_TEXT_MAX];

	assert_string_equal(when_format(t, zone, out, sizeof out), want);
}

static void
seoul_wall_clock_forms(void **state)
{
	(void)state;
	reads("2026-12-24 19:30", "Asia/Seoul", XMAS);
	reads("2026-12-24T19:30", "Asia/Seoul", XMAS);
	reads("2026-12-24t19:30", "Asia/Seoul", XMAS);
	reads("2026-12-24 19:30:00", "Asia/Seoul", XMAS);
	reads("2026-12-24 19:30:15", "Asia/Seoul", XMAS + 15);
	reads("2026-12-24 10:30", "UTC", XMAS);
	reads("2028-02-29 00:00", "UTC", INT64_C(1835395200));
	reads("1970-01-01 09:00", "Asia/Seoul", 0);
}

static void
offsets_ignore_the_zone(void **state)
{
	(void)state;
	reads("2026-12-24T19:30+09:00", "America/New_York", XMAS);
	reads("2026-12-24T19:30+0900", "Europe/Berlin", XMAS);
	reads("2026-12-24T19:30+09", "UTC", XMAS);
	reads("2026-12-24 19:30+09:00", "UTC", XMAS);
	reads("2026-12-24T10:30Z", "Asia/Seoul", XMAS);
	reads("2026-12-24T10:30z", "Asia/Seoul", XMAS);
	reads("2026-12-24T05:30-05:00", "Asia/Seoul", XMAS);
	reads("2026-12-24T15:00+04:30", "Asia/Seoul", XMAS);
	reads("2026-12-24T10:30:15Z", "Asia/Seoul", XMAS + 15);
}

static void
unix_seconds(void **state)
{
	(void)state;
	reads("@1798108200", "Asia/Seoul", XMAS);
	reads("1798108200", "Asia/Seoul", XMAS);
	reads("@0", "Asia/Seoul", 0);
	reads("@86400", "Asia/Seoul", 86400);
	reads("@253402300799", "Asia/Seoul", WHEN_MAX);
	/* A compact date is not taken for seconds. */
	reads("0", "Asia/Seoul", 0);
	reads("86400", "Asia/Seoul", 86400);
	reads("999999999", "Asia/Seoul", INT64_C(999999999));
	reads("9999999999", "Asia/Seoul", INT64_C(9999999999));
	refuses("20261224", "Asia/Seoul", "\"20261224\" looks like a compact "
	    "date", "@20261224", NULL);
	refuses("12345678", "Asia/Seoul", "compact date", NULL);
	refuses("202612241930", "Asia/Seoul", "compact date", NULL);
	refuses("20261224193000", "Asia/Seoul", "compact date", NULL);
	refuses("01798108200", "Asia/Seoul", "compact date", NULL);
	refuses("0123", "Asia/Seoul", "leading zeros", NULL);
	refuses("@", "Asia/Seoul", "Unix seconds", NULL);
	refuses("@-1", "Asia/Seoul", "Unix seconds", NULL);
	refuses("@01798108200", "Asia/Seoul", "leading zeros", NULL);
	refuses("@253402300800", "Asia/Seoul", "253402300799", NULL);
	refuses("@1e9", "Asia/Seoul", NULL);
}

static void
malformed_and_impossible(void **state)
{
	(void)state;
	refuses("tomorrow", "Asia/Seoul", "\"tomorrow\" is not a time",
	    "2026-12-24 19:30", "Asia/Seoul", NULL);
	refuses("", "Asia/Seoul", "not a time", NULL);
	refuses("2026-12-24", "Asia/Seoul", "not a time", NULL);
	refuses("2026-12-24 19:30 ", "Asia/Seoul", NULL);
	refuses(" 2026-12-24 19:30", "Asia/Seoul", NULL);
	refuses("2026-12-24  19:30", "Asia/Seoul", NULL);
	refuses("2026-12-24 7:30", "Asia/Seoul", NULL);
	refuses("26-12-24 19:30", "Asia/Seoul", NULL);
	refuses("2026/12/24 19:30", "Asia/Seoul", NULL);
	refuses("2026-12-24 19:30.5", "Asia/Seoul", NULL);
	refuses("2026-12-24 19:30 KST", "Asia/Seoul", NULL);
	refuses("2026-12-24T19:30+09:", "Asia/Seoul", NULL);
	refuses("2026-12-24T19:30+9", "Asia/Seoul", NULL);
	refuses("2026-12-24T19:30+19:00", "Asia/Seoul", NULL);
	refuses("2026-12-24T19:30+09:60", "Asia/Seoul", NULL);
	refuses("2026-12-24 19:30\n", "Asia/Seoul", "that is not a time", NULL);
	refuses("2026-02-29 10:00", "Asia/Seoul", "2026-02-29 is not a date", NULL);
	refuses("2100-02-29 10:00", "Asia/Seoul", "not a date", NULL);
	refuses("2026-13-01 10:00", "Asia/Seoul", "not a date", NULL);
	refuses("2026-04-31 10:00", "Asia/Seoul", "not a date", NULL);
	refuses("2026-00-10 10:00", "Asia/Seoul", "not a date", NULL);
	refuses("1969-12-31 23:00", "UTC", "not a date", NULL);
	refuses("1970-01-01 08:59", "Asia/Seoul", "outside", NULL);
	refuses("2026-12-24 24:00", "Asia/Seoul", "not a time of day", NULL);
	refuses("2026-12-24 19:60", "Asia/Seoul", "not a time of day", NULL);
	refuses("2026-12-24 19:30:60", "Asia/Seoul", "not a time of day", NULL);
}

static void
unknown_zone_is_refused(void **state)
{
	char err[WHEN_ERR_MAX];

	(void)state;
	assert_true(when_use_zone("Asia/Seoul", err, sizeof err));
	refuses("2026-12-24 19:30", "Mars/Olympus_Mons", "unknown time zone", NULL);
	refuses("2026-12-24 19:30", "Asia", "unknown time zone", NULL);
	refuses("2026-12-24 19:30", "../../etc/passwd", "unknown time zone", NULL);
	/* Nothing changed: the process is still on Seoul time. */
	assert_string_equal(getenv("TZ"), "Asia/Seoul");
	/* An offset needs no zone at all. */
	reads("2026-12-24T10:30Z", "Mars/Olympus_Mons", XMAS);
}

static void
new_york_spring_gap(void **state)
{
	(void)state;
	reads("2026-07-04 20:00", "America/New_York", INT64_C(1783209600));
	reads("2026-03-08 01:59:59", "America/New_York", INT64_C(1772953199));
	reads("2026-03-08 03:00", "America/New_York", INT64_C(1772953200));
	refuses("2026-03-08 02:30", "America/New_York", "2026-03-08 02:30 does "
	    "not exist in America/New_York", "from 2026-03-08 02:00 EST straight "
	    "to 2026-03-08 03:00 EDT", NULL);
	refuses("2026-03-08 02:00", "America/New_York", "does not exist", NULL);
	refuses("2026-03-08 02:59:59", "America/New_York", "does not exist", NULL);
	/* With an offset the same wall time is a plain instant. */
	reads("2026-03-08T02:30-05:00", "America/New_York", INT64_C(1772955000));
}

static void
new_york_autumn_overlap(void **state)
{
	(void)state;
	refuses("2026-11-01 01:30", "America/New_York",
	    "2026-11-01 01:30 is ambiguous in America/New_York",
	    "first as 2026-11-01 01:30 EDT (UTC-04:00) = @1793511000",
	    "then as 2026-11-01 01:30 EST (UTC-05:00) = @1793514600",
	    "write 2026-11-01T01:30-04:00 or 2026-11-01T01:30-05:00", NULL);
	refuses("2026-11-01 01:00", "America/New_York", "ambiguous", NULL);
	refuses("2026-11-01 01:59:59", "America/New_York", "ambiguous", NULL);
	reads("2026-11-01 00:59:59", "America/New_York", INT64_C(1793509199));
	reads("2026-11-01 02:00", "America/New_York", INT64_C(1793516400));
	reads("2026-11-01T01:30-04:00", "America/New_York", INT64_C(1793511000));
	reads("2026-11-01T01:30-05:00", "America/New_York", INT64_C(1793514600));
	reads("@1793511000", "America/New_York", INT64_C(1793511000));
}

static void
berlin_both_transitions(void **state)
{
	(void)state;
	reads("2026-03-29 01:59:59", "Europe/Berlin", INT64_C(1774745999));
	reads("2026-03-29 03:00", "Europe/Berlin", INT64_C(1774746000));
	refuses("2026-03-29 02:30", "Europe/Berlin", "does not exist",
	    "02:00 CET straight to 2026-03-29 03:00 CEST", NULL);
	refuses("2026-10-25 02:30", "Europe/Berlin", "ambiguous",
	    "CEST (UTC+02:00) = @1792888200", "CET (UTC+01:00) = @1792891800",
	    "2026-10-25T02:30+02:00 or 2026-10-25T02:30+01:00", NULL);
}

/* Moscow left UTC+4 for UTC+3 on 2014-10-26 at 02:00, "MSK" on both
 * sides and no DST on either: the repeated hour has tm_isdst 0 twice. */
static void
moscow_standard_time_change(void **state)
{
	(void)state;
	refuses("2014-10-26 01:30", "Europe/Moscow", "ambiguous",
	    "01:30 MSK (UTC+04:00) = @1414272600",
	    "01:30 MSK (UTC+03:00) = @1414276200", NULL);
	reads("2014-10-26 02:00", "Europe/Moscow", INT64_C(1414278000));
	reads("2014-10-25 23:00", "Europe/Moscow", INT64_C(1414263600));
}

static void
formatting(void **state)
{
	(void)state;
	formats(XMAS, "Asia/Seoul", "2026-12-24 19:30 KST");
	formats(XMAS + 15, "Asia/Seoul", "2026-12-24 19:30:15 KST");
	formats(XMAS, "UTC", "2026-12-24 10:30 UTC");
	formats(XMAS, "Europe/Berlin", "2026-12-24 11:30 CET");
	formats(INT64_C(1793511000), "America/New_York", "2026-11-01 01:30 EDT");
	formats(INT64_C(1793514600), "America/New_York", "2026-11-01 01:30 EST");
	formats(INT64_C(1774746000), "Europe/Berlin", "2026-03-29 03:00 CEST");
	formats(0, "Asia/Seoul", "1970-01-01 09:00 KST");
	formats(WHEN_MAX, "UTC", "9999-12-31 23:59:59 UTC");
	/* An unusable zone: the instant is still right, in UTC. */
	formats(XMAS, "Mars/Olympus_Mons", "2026-12-24 10:30 UTC");
	formats(XMAS, NULL, "2026-12-24 10:30 UTC");
}

/*
 * Every half hour of 2026 in each zone, written as wall-clock text and
 * read back: the same instant, except in the repeated hour, which is
 * refused (twice 02:00 and twice 02:30 in Berlin, 01:00 and 01:30 in New
 * York: four refusals a year). The skipped hour never shows up as text.
 */
static void
a_year_reads_back(void **state)
{
	static const char *const zones[] = { "America/New_York",
	    "Europe/Berlin", "Asia/Seoul" };
	static const int want_refused[] = { 4, 4, 0 };

	(void)state;
	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		char err[WHEN_ERR_MAX], text[32];
		int refused = 0;

		for (int64_t t = INT64_C(1767225600); t < INT64_C(1798761600);
		    t += 1800) {
			time_t tt = (time_t)t;
			struct tm tm;
			int64_t back = SENTINEL;

			/* when_parse applied the zone on the first round. */
			assert_true(when_use_zone(zones[z], err, sizeof err));
			localtime_r(&tt, &tm);
			strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
			if (!when_parse(text, zones[z], &back, err, sizeof err)) {
				assert_non_null(strstr(err, "ambiguous"));
				refused++;
				continue;
			}
			if (back != t) {
				print_error("%s %s read back as %lld, want %lld\n", zones[z],
				    text, (long long)back, (long long)t);
				fail();
			}
		}
		assert_int_equal(refused, want_refused[z]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seoul_wall_clock_forms),
		cmocka_unit_test(offsets_ignore_the_zone),
		cmocka_unit_test(unix_seconds),
		cmocka_unit_test(malformed_and_impossible),
		cmocka_unit_test(unknown_zone_is_refused),
		cmocka_unit_test(new_york_spring_gap),
		cmocka_unit_test(new_york_autumn_overlap),
		cmocka_unit_test(berlin_both_transitions),
		cmocka_unit_test(moscow_standard_time_change),
		cmocka_unit_test(formatting),
		cmocka_unit_test(a_year_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
