/*
 * fuzz_params.c — the query, form and cookie parser (cgi-bin/params.c).
 *
 * The input is parsed as an urlencoded string and, up to its first NUL, as
 * a Cookie header. Whatever comes out must keep params.h's promise: every
 * name and value is UTF-8 without NUL and without control characters (but
 * tab, CR and LF in urlencoded values), within the limits.
 */
#include <string.h>

#include "fuzz.h"
#include "params.h"
#include "utf8.h"

static void
check_text(const char *s, size_t max, int controls_ok)
{
	size_t len = strlen(s);

	FUZZ_CHECK(len <= max);
	FUZZ_CHECK(utf8_valid(s, len));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			FUZZ_CHECK(controls_ok && (c == '\t' || c == '\r' || c == '\n'));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct params p;
	enum params_error e;
	char *header;

	e = params_parse_urlencoded(&a, (const char *)data, size, &p);
	FUZZ_CHECK(p.n <= PARAMS_MAX_FIELDS);
	if (e == PARAMS_OK) {
		for (size_t i = 0; i < p.n; i++) {
			check_text(p.items[i].name, PARAMS_MAX_NAME, 1);
			check_text(p.items[i].value, PARAMS_MAX_VALUE, 1);
			FUZZ_CHECK(params_get(&p, p.items[i].name) != NULL);
		}
	} else {
		FUZZ_CHECK(strlen(params_error_text(e)) > 0);
	}

	header = arena_strndup(&a, (const char *)data, size); /* up to a NUL */
	params_parse_cookies(&a, header, &p);
	FUZZ_CHECK(p.n <= PARAMS_MAX_FIELDS);
	for (size_t i = 0; i < p.n; i++) {
		FUZZ_CHECK(p.items[i].name[0] != '\0');
		check_text(p.items[i].name, PARAMS_MAX_VALUE, 0);
		check_text(p.items[i].value, PARAMS_MAX_VALUE, 0);
	}
	arena_free(&a);
	return 0;
}
