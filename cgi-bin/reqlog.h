/*
 * reqlog.h — the FastCGI program's log: one line per message on standard
 * error (the journal under systemd, the terminal under make run).
 *
 *   2026-12-01T10:00:00.123Z warn req=4242-17 route=/concerts/# GET /concerts/7: message
 *   2026-12-01T10:00:00.125Z info req=4242-17 route=/concerts/# GET /concerts/7 status=200 ms=1.234
 *   2026-12-01T10:00:00.200Z info pid=4241: 2 workers on fd 0
 *
 * Time in UTC (ISO 8601, milliseconds), the level, then the request: its
 * id (the worker's pid and its count of requests, so every line of one
 * request shares it), the route it matched ("-" for none), method and
 * path; outside a request, the pid. A request's last line gives its
 * status and how long the worker took. Every value from a request and
 * every message is escaped (log_escape in core/log.h): a path or a value
 * holding a line break cannot forge a line. A line is one write(2), so
 * workers sharing the stream never interleave.
 *
 * core/'s messages come here too (log_start points core's hook at it),
 * with the request being served. (core/log.h is core's hook; this is the
 * program's log.)
 */
#ifndef BOXOFFICE_REQLOG_H
#define BOXOFFICE_REQLOG_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct req;

/* Sends core/'s messages to this log. access: end every request with its
 * line (status, duration); otherwise only a request that logged a
 * message, answered 5xx or took a second or more gets one. */
void log_start(int access);

/* A message about r (NULL: about no request, or the one being served). */
void log_msg(const struct req *r, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* r starts being served: it gets the next request id and the clock
 * starts. */
void log_request_begin(const struct req *r);
/* The route r matched: a pattern of the route table (static storage). */
void log_request_route(const char *pattern);
/* r is answered: its last line, when wanted (log_start). */
void log_request_end(const struct req *r);

/* One line's parts, as the log writes them. */
struct log_line {
	int64_t epoch_ms;       /* when */
	enum log_level level;
	const char *id;         /* the request's id; NULL outside a request */
	int pid;                /* outside a request */
	const char *route, *method, *path; /* NULL: "-" */
	const char *msg;        /* NULL: the request's last line */
	int status;             /* the last line's */
	double ms;
};
/* Formats l into out (cap bytes, at least LOG_LINE_MAX for a line never
 * cut short of its newline) as the log writes it: values escaped, one
 * newline at the end. Returns its length. For the writer and the tests. */
#define LOG_LINE_MAX 4096
size_t log_format(char *out, size_t cap, const struct log_line *l);

#endif
