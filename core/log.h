/*
 * log.h — how core/ reports what went wrong, without knowing which
 * program runs it.
 *
 * core/ calls core_log(); the message goes to a sink the program chooses:
 * the FastCGI program points it at its logger (cgi-bin/log.h: time,
 * level, request id, route), the command-line tools leave the plain one,
 * which writes "PROGRAM: message" for the person at the terminal. The
 * command-line tools' own messages go through log_say(), the same plain
 * writer, so a tool speaks one way whoever words the message.
 *
 * A message may hold anything a request or a database handed us: every
 * writer escapes it (log_escape), so no value can end a line early and
 * forge the next one, nor move a terminal's cursor.
 */
#ifndef BOXOFFICE_LOG_H
#define BOXOFFICE_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG__MAX };

/* A message's longest text, before escaping; longer ones are cut. */
#define LOG_MSG_MAX 1024

/* "error", "warn", "info". */
const char *log_level_name(enum log_level level);

/* Where core_log() sends its messages: sink receives the formatted
 * message, unescaped and without a newline. NULL: the plain writer. */
typedef void log_sink(enum log_level level, const char *msg);
void log_set_sink(log_sink *sink);
/* The name the plain writer puts first ("boxoffice" until set). program
 * must outlive the process's logging (a literal or argv[0]). */
void log_set_program(const char *program);

/* core/'s messages, to the sink. */
void core_log(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The command-line tools' one way to speak to a person: "PROGRAM: message"
 * and a newline on standard error. Line breaks and tabs are kept (a
 * message may have lines); other control characters are escaped. */
void log_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Writes s into out (cap bytes, at least 4; always NUL-terminated) with
 * every byte that could end a line, start a new one or drive a terminal
 * escaped as C writes it: \n \r \t \\ and \xHH for the other C0 controls,
 * DEL, the C1 controls (U+0080..U+009F, NEL among them), U+2028 and
 * U+2029, and each byte that is not part of valid UTF-8. Characters in
 * keep (a subset of "\n\t\\") are written as they are. Text that does not
 * fit ends with "..." and never in the middle of an escape or a
 * character. Returns the length written.
 */
size_t log_escape(char *out, size_t cap, const char *s, const char *keep);

#endif
