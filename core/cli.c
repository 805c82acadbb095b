/*
 * cli.c — reading the three programs' command lines alike (see cli.h).
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "log.h"

/* What the last cli_option() call saw, for cli_bad_option(). */
static struct {
	int c, optopt;
	const char *arg;
} last;

int
cli_option(int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	char opts[64];

	/* '+': stop at the first operand; ':': a missing value is ':'. */
	snprintf(opts, sizeof opts, "+:%s", shortopts);
	opterr = 0;
	last.c = getopt_long(argc, argv, opts, longopts, NULL);
	last.optopt = optopt;
	last.arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	return last.c == ':' ? '?' : last.c;
}

int
cli_bad_option(cli_usage_fn *usage)
{
	/* A long option as typed, without any "=VALUE". */
	int named = strncmp(last.arg, "--", 2) == 0;
	int len = (int)strcspn(last.arg, "=");

	if (last.c == ':' && named)
		log_say("option '%.*s' needs a value", len, last.arg);
	else if (last.c == ':')
		log_say("option '-%c' needs a value", last.optopt);
	else if (named && last.optopt != 0)
		log_say("option '%.*s' takes no value", len, last.arg);
	else if (named)
		log_say("unknown option '%.*s'", len, last.arg);
	else
		log_say("unknown option '-%c'", last.optopt);
	usage(stderr);
	return 2;
}

int
cli_usage_error(cli_usage_fn *usage, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_say("%s", msg);
	usage(stderr);
	return 2;
}
