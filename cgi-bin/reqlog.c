/*
 * reqlog.c — the FastCGI program's log (see reqlog.h).
 *
 * A worker serves one request at a time, so the request being served is
 * kept here (cur): core/'s messages, which know no request, are written
 * with it.
 */
#include "reqlog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "req.h"

/* A request slower than this gets its last line even without --access-log. */
#define SLOW_MS 1000.0
/* The most of a line a path may take, escaped. */
#define PATH_MAX_LOGGED 512

static int access_all;

static struct {
	const struct req *r; /* being served, or NULL */
	uint64_t n;          /* its number in this process */
	char id[32];         /* "PID-N", written when a line needs it */
	const char *route;
	struct timespec t0;
	int said;            /* a message was logged for it */
} cur;

static uint64_t served; /* requests this process began */

/* The path as one word: escaped, and its spaces too (nginx decodes
 * %20), so that it cannot pose as the fields that follow it. */
static size_t
path_escaped(char *out, size_t cap, const char *path)
{
	char esc[PATH_MAX_LOGGED];
	size_t n = 0;

	log_escape(esc, sizeof esc, path, "");
	for (const char *p = esc; *p != '\0' && n + 4 < cap; p++) {
		if (*p == ' ') {
			memcpy(out + n, "\\x20", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	if (cap > 0)
		out[n < cap ? n : cap - 1] = '\0';
	return n;
}

size_t
log_format(char *out, size_t cap, const struct log_line *l)
{
	time_t secs = (time_t)(l->epoch_ms / 1000);
	struct tm tm;
	size_t n;

	if (cap < 64) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	gmtime_r(&secs, &tm);
	n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(out + n, cap - n, ".%03dZ %s ",
	    (int)(l->epoch_ms % 1000), log_level_name(l->level));
	if (l->id != NULL) {
		/* The route is a pattern of ours; the path came from outside. */
		n += (size_t)snprintf(out + n, cap - n, "req=%s route=%s %s ",
		    l->id, l->route ? l->route : "-", l->method ? l->method : "-");
		n += path_escaped(out + n, cap - n, l->path ? l->path : "-");
	} else {
		n += (size_t)snprintf(out + n, cap - n, "pid=%d", l->pid);
	}
	if (n >= cap - 1)
		n = cap - 2;
	if (l->msg == NULL && l->id != NULL && cap - n > 32)
		n += (size_t)snprintf(out + n, cap - n, " status=%d ms=%.3f",
		    l->status, l->ms);
	else if (l->msg != NULL && cap - n > 8) {
		out[n++] = ':';
		out[n++] = ' ';
		n += log_escape(out + n, cap - 1 - n, l->msg, "");
	}
	if (n >= cap - 1)
		n = cap - 2;
	out[n++] = '\n';
	out[n] = '\0';
	return n;
}

static int64_t
epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
write_line(const char *s, size_t len)
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

/* A line about r (the request being served when r is NULL), or about no
 * request when none is being served. */
static void
say(const struct req *r, enum log_level level, const char *msg, int status,
    double ms)
{
	struct log_line l = { epoch_ms(), level, NULL, (int)getpid(), NULL, NULL,
	    NULL, msg, status, ms };
	char line[LOG_LINE_MAX];

	if (r == NULL)
		r = cur.r;
	if (r != NULL) {
		if (r == cur.r && cur.id[0] == '\0')
			snprintf(cur.id, sizeof cur.id, "%d-%llu", (int)getpid(),
			    (unsigned long long)cur.n);
		l.id = r == cur.r ? cur.id : "-";
		l.route = r == cur.r ? cur.route : NULL;
		l.method = req_method_name(r->method);
		l.path = r->path;
		if (r == cur.r)
			cur.said = 1;
	}
	write_line(line, log_format(line, sizeof line, &l));
}

static void
core_sink(enum log_level level, const char *msg)
{
	say(NULL, level, msg, 0, 0);
}

void
log_start(int access)
{
	access_all = access;
	log_set_sink(core_sink);
}

void
log_msg(const struct req *r, enum log_level level, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	say(r, level, msg, 0, 0);
}

void
log_request_begin(const struct req *r)
{
	cur.r = r;
	cur.route = NULL;
	cur.said = 0;
	cur.n = ++served;
	cur.id[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &cur.t0);
}

void
log_request_route(const char *pattern)
{
	cur.route = pattern;
}

void
log_request_end(const struct req *r)
{
	struct timespec t1;
	double ms;
	int code;

	if (r != cur.r)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - cur.t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - cur.t0.tv_nsec) / 1e6;
	code = http_code(r->status);
	if (access_all || cur.said || code >= 500 || ms >= SLOW_MS)
		say(r, code >= 500 ? LOG_ERROR : ms >= SLOW_MS ? LOG_WARN :
		    LOG_INFO, NULL, code, ms);
	cur.r = NULL;
}
