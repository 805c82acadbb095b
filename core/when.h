/*
 * when.h — people's time: reading and writing instants the way an
 * operator types and reads them, in the venue's time zone.
 *
 * Accepted forms (when_parse):
 *   2026-12-24 19:30        a wall-clock time in the zone given (the
 *   2026-12-24T19:30        venue's `timezone` setting); seconds optional
 *   2026-12-24 19:30:15     (":SS"); 'T' or a space between date and time
 *   2026-12-24T19:30+09:00  ISO 8601 / RFC 3339 with an offset: +HH:MM,
 *   2026-12-24T19:30+0900   +HHMM or Z; the zone setting plays no part
 *   2026-12-24T10:30Z
 *   @1798108200             Unix seconds, any count of digits
 *   1798108200              Unix seconds as a bare number of up to 10
 *   0                       digits (to 2286-11-20), except 8 digits:
 *                           scripts keep working, while a compact date
 *                           (20261224, 202612241930) is refused instead
 *                           of being read as a time in 1970 or 8390
 * A wall-clock time the zone skips (spring forward) or shows twice (fall
 * back) is refused with a sentence that says so; an ambiguous one names
 * both instants it could be, so the operator can pick one with an offset.
 *
 * Output (when_format): "2026-12-24 19:30 KST", with ":SS" only when the
 * seconds are not zero, and the zone's own abbreviation (some zones have
 * only numeric ones, e.g. "+04").
 *
 * The zone is applied to the whole process through TZ and tzset(), the C
 * library's own tz machinery reading the system's tzdata: not thread-safe,
 * which suits our single-threaded workers and CLI. The process's TZ is
 * left at the last zone used; cgi-bin/view.c applies the venue's zone the
 * same way, so both agree as long as both use the `timezone` setting.
 */
#ifndef BOXOFFICE_WHEN_H
#define BOXOFFICE_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* Room for any when_format() result, NUL included. */
#define WHEN_TEXT_MAX 64
/* Room for any when_parse() or when_use_zone() message, NUL included. */
#define WHEN_ERR_MAX 400

/* The largest instant handled: 9999-12-31 23:59:59 UTC. */
#define WHEN_MAX INT64_C(253402300799)

/*
 * Makes zone (an IANA name such as "Asia/Seoul", or "UTC") the process's
 * local time zone, unless it is already TZ. The name is checked as the
 * `timezone` setting checks it (a real zone file, so that a typo cannot
 * silently become UTC). 1, or 0 with a sentence in err (errlen > 0) and
 * TZ unchanged.
 */
int when_use_zone(const char *zone, char *err, size_t errlen);

/*
 * Reads text in one of the forms above into *out (Unix seconds, 0 to
 * WHEN_MAX). A wall-clock time is read in zone (applied with
 * when_use_zone()). 1, or 0 with a sentence for the operator in err
 * (errlen > 0; WHEN_ERR_MAX is enough) and *out unchanged.
 */
int when_parse(const char *text, const char *zone, int64_t *out, char *err,
    size_t errlen);

/*
 * Writes t (0 to WHEN_MAX) as "2026-12-24 19:30 KST" in zone into the
 * caller's out of len bytes (WHEN_TEXT_MAX is enough) and returns out.
 * When zone cannot be applied the time is written in UTC and says "UTC",
 * so a printed time is never wrong, only in another zone.
 */
const char *when_format(int64_t t, const char *zone, char *out, size_t len);

#endif
