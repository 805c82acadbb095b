/*
 * log.c — core's log hook, the plain writer and the escaping (see log.h).
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"

static const char *const level_names[LOG__MAX] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
};

static const char *program = "boxoffice";

const char *
log_level_name(enum log_level level)
{
	return level < LOG__MAX ? level_names[level] : "?";
}

void
log_set_program(const char *name)
{
	program = name;
}

/* The length of the UTF-8 character at p that may go out as it is, or 0
 * when its bytes must be escaped: not UTF-8, a C1 control, U+2028/9. */
static size_t
printable_utf8(const unsigned char *p)
{
	size_t len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 0;

	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0; /* a NUL ends it too: never read past */
	if (len == 0 || !utf8_valid((const char *)p, len))
		return 0;
	if (p[0] == 0xc2 && p[1] < 0xa0)
		return 0; /* U+0080..U+009F */
	if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		return 0; /* line and paragraph separators */
	return len;
}

/* The escaped form of the character at p into piece (8 bytes); its
 * length, with the bytes it stands for in *adv. */
static size_t
escape_one(const unsigned char *p, const char *keep, char *piece, size_t *adv)
{
	size_t u;

	*adv = 1;
	if (*p >= 0x80 && (u = printable_utf8(p)) > 0) {
		memcpy(piece, p, u);
		*adv = u;
		return u;
	}
	if (*p < 0x80 && strchr(keep, *p) != NULL) {
		piece[0] = (char)*p;
		return 1;
	}
	if (*p == '\n' || *p == '\r' || *p == '\t' || *p == '\\') {
		piece[0] = '\\';
		piece[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' :
		    '\\';
		return 2;
	}
	if (*p < 0x20 || *p >= 0x7f)
		return (size_t)snprintf(piece, 8, "\\x%02x", *p);
	piece[0] = (char)*p;
	return 1;
}

size_t
log_escape(char *out, size_t cap, const char *s, const char *keep)
{
	const unsigned char *p;
	size_t n = 0, total = 0, len, adv, room;
	char piece[8];

	if (cap < 4) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p += adv)
		total += escape_one(p, keep, piece, &adv);
	/* All of it, or as much as leaves room for "...". */
	room = total <= cap - 1 ? cap - 1 : cap - 4;
	for (p = (const unsigned char *)s; *p != '\0'; p += adv) {
		len = escape_one(p, keep, piece, &adv);
		if (n + len > room)
			break;
		memcpy(out + n, piece, len);
		n += len;
	}
	if (total > cap - 1) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return n;
}

/* Writes all of s; a line is one write, so lines of several processes
 * sharing stderr never interleave (up to PIPE_BUF bytes on a pipe). */
static void
write_all(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nowhere to say it */
		s += w;
		len -= (size_t)w;
	}
}

static void
plain(const char *msg)
{
	char line[LOG_MSG_MAX * 4 + 128];
	size_t n = (size_t)snprintf(line, sizeof line, "%s: ", program);

	if (n >= sizeof line - 2)
		n = 0;
	n += log_escape(line + n, sizeof line - 1 - n, msg, "\n\t\\");
	line[n++] = '\n';
	write_all(line, n);
}

static void
plain_sink(enum log_level level, const char *msg)
{
	(void)level;
	plain(msg);
}

static log_sink *sink = plain_sink;

void
log_set_sink(log_sink *s)
{
	sink = s != NULL ? s : plain_sink;
}

void
core_log(enum log_level level, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sink(level, msg);
}

void
log_say(const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	plain(msg);
}
