/*
 * fuzz_next.c — the redirect target check (cgi-bin/redirect.c).
 *
 * Whatever redirect_ok() accepts must be a path of this site to a browser
 * (which drops TAB, CR and LF and reads '\' as '/'), before and after one
 * more percent-decoding: it starts with one '/', holds only printable
 * ASCII and no space, '#', '"', '<', '>' or '\'.
 */
#include <string.h>

#include "fuzz.h"
#include "redirect.h"

static int
hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A browser drops TAB, CR and LF and reads '\' as '/': none of them may
 * be there, nor anything but printable ASCII, and the start is one '/'. */
static void
check_same_site(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		FUZZ_CHECK(*p > 0x20 && *p < 0x7f);
		FUZZ_CHECK(strchr("#\"<>\\`^{}|[]", *p) == NULL);
	}
	FUZZ_CHECK(s[0] == '/' && s[1] != '/');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *d;
	size_t j = 0;

	FUZZ_CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	FUZZ_CHECK(redirect_target(s, "/fallback") == s ||
	    strcmp(redirect_target(s, "/fallback"), "/fallback") == 0);
	if (!redirect_ok(s)) {
		free(s);
		return 0;
	}
	FUZZ_CHECK(redirect_target(s, "/fallback") == s);
	FUZZ_CHECK(strlen(s) <= REDIRECT_MAX);
	check_same_site(s);
	/* Decoded once more, as a careless later step might: no control
	 * byte and no backslash appears, so the start stays a path. */
	d = malloc(size + 1);
	FUZZ_CHECK(d != NULL);
	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] == '%') {
			FUZZ_CHECK(hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0);
			d[j] = (char)(hex(s[i + 1]) << 4 | hex(s[i + 2]));
			FUZZ_CHECK((unsigned char)d[j] >= 0x20 && d[j] != 0x7f &&
			    d[j] != '\\');
			j++;
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	FUZZ_CHECK(d[0] == '/' && d[1] != '/');
	free(d);
	free(s);
	return 0;
}
