/*
 * redirect.c — is a user-given redirect target a path of this site?
 * (see redirect.h). An allow-list, not a deny-list: browsers forgive too
 * much (they drop TAB, CR and LF, read '\' as '/', and resolve "//host"
 * and "/\host" to another site) for a list of bad characters to be safe.
 */
#include "redirect.h"

#include "parse.h"

#include <stddef.h>
#include <string.h>

/* RFC 3986 pchar without '%' (handled apart), plus '/' and '?'. */
static int
allowed(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-._~!$&'()*+,;=:@/?", c));
}

int
redirect_ok(const char *next)
{
	size_t i;

	/* "//host" is another site; so is "/%2Fhost" to anything that
	 * decodes it once more. */
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    (next[1] == '%' && next[2] == '2' && (next[3] == 'F' || next[3] == 'f')) ||
	    strnlen(next, REDIRECT_MAX + 1) > REDIRECT_MAX)
		return 0;
	for (i = 0; next[i] != '\0'; i++) {
		if (next[i] == '%') {
			int hi = parse_hex_digit(next[i + 1]), lo = hi < 0 ? -1 : parse_hex_digit(next[i + 2]);
			int byte;

			if (hi < 0 || lo < 0)
				return 0;
			/* An escape a later decoding could turn into a dropped
			 * character or a host separator is refused too. */
			byte = hi << 4 | lo;
			if (byte < 0x20 || byte == 0x7f || byte == '\\')
				return 0;
			i += 2;
		} else if (!allowed(next[i])) {
			return 0;
		}
	}
	return 1;
}

const char *
redirect_target(const char *next, const char *fallback)
{
	return redirect_ok(next) ? next : fallback;
}
