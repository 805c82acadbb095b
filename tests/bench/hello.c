/*
 * hello.c — the benchmark's baseline: the cheapest possible FastCGI page.
 *
 *   hello.fcgi --listen unix:PATH [--workers N]
 *
 * It has the same process model as boxoffice.fcgi (cgi-bin/main.c): the
 * parent binds the socket with FCGX_OpenSocket, forks N workers that each
 * loop on FCGX_Accept_r / FCGX_Finish_r on that one socket, and waits;
 * SIGTERM or SIGINT makes it stop the workers and exit. Each request gets
 * a fixed, short HTML page: no routing, templates or database.
 *
 * tests/bench/bench.mjs serves it behind the same nginx as boxoffice, so the
 * ratio "boxoffice req/s / hello req/s" is what the application itself
 * costs, with nginx, the FastCGI protocol and the machine factored out.
 */
/* The Makefile rule passes no CPPFLAGS and compiles with -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#define MAX_WORKERS 256

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t busy;

static const char page[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<!doctype html><title>hello</title><p>Hello, world.</p>\n";

static void
usage(void)
{
	fprintf(stderr, "usage: hello.fcgi --listen unix:PATH [--workers N]\n");
}

static void
on_term_worker(int sig)
{
	(void)sig;
	if (!busy)
		_exit(0);
	stopping = 1;
}

static void
on_term_parent(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
worker(int listen_fd)
{
	struct sigaction sa;
	FCGX_Request fr;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term_worker;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN); /* the parent stops us */
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, 0) != 0)
		_exit(1);
	while (!stopping) {
		if (FCGX_Accept_r(&fr) < 0)
			break;
		busy = 1;
		FCGX_PutStr(page, (int)sizeof page - 1, fr.out);
		FCGX_Finish_r(&fr);
		busy = 0;
	}
	_exit(0);
}

static pid_t
spawn(int listen_fd)
{
	pid_t pid = fork();

	if (pid == 0)
		worker(listen_fd);
	if (pid < 0)
		perror("hello: fork");
	return pid;
}

int
main(int argc, char **argv)
{
	const char *listen = NULL, *path;
	long workers = 2;
	pid_t pids[MAX_WORKERS];
	struct sigaction sa;
	int fd;

	for (int i = 1; i < argc; i += 2) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (val == NULL) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--listen") == 0)
			listen = val;
		else if (strcmp(argv[i], "--workers") == 0) {
			errno = 0;
			workers = strtol(val, &end, 10);
			if (errno != 0 || *end != '\0' || workers < 1 ||
			    workers > MAX_WORKERS) {
				usage();
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (listen == NULL || strncmp(listen, "unix:", 5) != 0) {
		usage();
		return 2;
	}
	path = listen + 5;
	unlink(path); /* a stale socket of an earlier run */
	if ((fd = FCGX_OpenSocket(path, 1024)) < 0) {
		fprintf(stderr, "hello: cannot listen on %s: %s\n", listen,
		    strerror(errno));
		return 1;
	}
	if (chmod(path, 0660) != 0) {
		perror("hello: chmod socket");
		return 1;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term_parent; /* no SA_RESTART: wait() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (long i = 0; i < workers; i++)
		pids[i] = spawn(fd);
	fprintf(stderr, "hello: %ld workers on %s\n", workers, listen);

	while (!stopping) {
		int status;
		pid_t dead = wait(&status);

		if (dead < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (long i = 0; i < workers && !stopping; i++)
			if (pids[i] == dead) {
				fprintf(stderr, "hello: worker %d died; "
				    "starting another\n", (int)dead);
				sleep(1);
				pids[i] = spawn(fd);
			}
	}
	for (long i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	unlink(path);
	return 0;
}
