/*
 * redirect.h — the one check of a user-given redirect target (?next= of
 * /login, /signup and /wallet, and the request's own address when it is
 * passed on as one).
 *
 * A target is a path of this site and nothing else: it starts with one
 * '/' (not "//", not "/%2F"), and every character is from an allow-list (letters, digits and
 * "-._~!$&'()*+,;=:@/?%", a '%' followed by two hex digits that do not
 * encode a control character or a backslash). So there is no scheme, no
 * host, no "//" or "/\" (which browsers read as another host), no TAB, CR
 * or LF (which browsers drop), no space, no fragment and no byte above
 * 0x7e. The check applies to the decoded value, as the handler sees it.
 */
#ifndef BOXOFFICE_REDIRECT_H
#define BOXOFFICE_REDIRECT_H

#define REDIRECT_MAX 2048 /* longer targets are refused */

/* Whether next is a safe target (NULL is not). */
int redirect_ok(const char *next);
/* next when it is safe, else fallback (a constant path of ours). */
const char *redirect_target(const char *next, const char *fallback);

#endif
