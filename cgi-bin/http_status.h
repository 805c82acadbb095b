/*
 * http_status.h — the HTTP statuses boxoffice answers, as a closed set.
 *
 * As kcgi does: an enum ending in __MAX and one table beside it, so a
 * status without its reason phrase, its page title and its default error
 * code cannot exist. Every function that sets a response status takes an
 * enum http_status; a bare number is a bug that the asserts in
 * http_code() and friends catch the first time it runs.
 */
#ifndef BOXOFFICE_HTTP_STATUS_H
#define BOXOFFICE_HTTP_STATUS_H

enum http_status {
	HTTP_200,
	HTTP_201,
	HTTP_204,
	HTTP_303,
	HTTP_400,
	HTTP_401,
	HTTP_402,
	HTTP_403,
	HTTP_404,
	HTTP_405,
	HTTP_409,
	HTTP_410,
	HTTP_411,
	HTTP_413,
	HTTP_414,
	HTTP_415,
	HTTP_422,
	HTTP_429,
	HTTP_500,
	HTTP_502,
	HTTP_503,
	HTTP__MAX
};

/* The number (404), the reason phrase ("Not Found"), the title of an
 * error page in words a buyer understands ("Page not found") and the
 * API error code used when the caller names none ("not_found"). All
 * static storage. */
int http_code(enum http_status s);
const char *http_reason(enum http_status s);
const char *http_title(enum http_status s);
const char *http_error_code(enum http_status s);
/* 2xx and 3xx: the request did what it asked. */
int http_ok(enum http_status s);
/* The enum for a number, HTTP__MAX when it is not one of ours (for
 * statuses read back from storage). */
enum http_status http_from_code(int code);

#endif
