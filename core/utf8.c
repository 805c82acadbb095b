/*
 * utf8.c — UTF-8 validation (see utf8.h), by GNU libunistring.
 *
 * Not hand-written: libunistring (Debian's libunistring-dev, already a
 * dependency of half the system) checks exactly RFC 3629 and is cheap: a
 * byte loop, no allocation. jansson has the same check inside but does not
 * export it.
 */
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

int
utf8_valid(const char *s, size_t len)
{
	return u8_check((const uint8_t *)s, len) == NULL;
}

int
utf8_valid_str(const char *s)
{
	return utf8_valid(s, strlen(s));
}

char *
utf8_repair(const char *s)
{
	size_t len = strlen(s), j = 0;
	/* An invalid byte (1) becomes U+FFFD (3): at most three times longer. */
	char *out = malloc(3 * len + 1);

	if (out == NULL)
		abort(); /* out of memory: the failure policy */
	for (size_t i = 0; i < len;) {
		ucs4_t c;
		int n = u8_mbtouc(&c, (const uint8_t *)s + i, len - i);

		/* u8_mbtouc stores U+FFFD for an invalid sequence. */
		j += (size_t)u8_uctomb((uint8_t *)out + j, c, 4);
		i += (size_t)n;
	}
	out[j] = '\0';
	return out;
}
