/*
 * parse.c — strict integer parsing (see parse.h).
 */
#include "parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char *d = s;
	char *end;
	long long v;

	if (s == NULL)
		return 0;
	if (*d == '-')
		d++;
	if (*d < '0' || *d > '9')
		return 0;
	if (d[0] == '0' && d[1] != '\0')
		return 0;
	for (const char *p = d; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

int
parse_key(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > max)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int
parse_token(const char *s, size_t len)
{
	if (s == NULL || strlen(s) != len)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int
parse_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
