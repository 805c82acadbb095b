/*
 * cli.h — the command lines of boxoffice.fcgi, boxoffice-admin and
 * boxoffice-expire, read alike: getopt_long, so every long option takes
 * its value as --name VALUE or --name=VALUE (or an unambiguous prefix of
 * its name), -h and --help print the usage on standard output, and a
 * mistake is said one way:
 *
 *   PROGRAM: unknown option '--dbb'
 *   (the usage, on standard error)
 *
 * with exit status 2. Messages go through log_say (log.h).
 */
#ifndef BOXOFFICE_CLI_H
#define BOXOFFICE_CLI_H

#include <getopt.h>
#include <stdio.h>

/* Prints a program's usage to f. */
typedef void cli_usage_fn(FILE *f);

/* The next option of argv: its val, -1 after the last option (optind is
 * then the first operand: options stop at the first operand, so a
 * command's own arguments are left alone), or '?' for a mistake that
 * cli_bad_option() explains. shortopts as getopt's, without the leading
 * "+:" this adds. */
int cli_option(int argc, char **argv, const char *shortopts,
    const struct option *longopts);

/* After cli_option returned '?': says what was wrong (unknown option, a
 * value missing, a value given to an option that takes none), then the
 * usage on standard error. Returns 2, the exit status for it. */
int cli_bad_option(cli_usage_fn *usage);

/* Any other mistake on the command line (a bad value, a missing
 * operand): "PROGRAM: message", the usage on standard error; returns 2. */
int cli_usage_error(cli_usage_fn *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
