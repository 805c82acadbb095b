/*
 * main.c — boxoffice.fcgi: listens, preforks workers, respawns the dead.
 *
 *   boxoffice.fcgi [--listen unix:PATH|HOST:PORT] [--socket-mode 0660]
 *                  [--workers N] [--db PATH] [--templates DIR]
 *
 * Without --listen the socket is inherited on fd 0 (spawn-fcgi, systemd).
 * The parent binds, loads the templates, checks the schema, forks N
 * workers and waits; a worker that dies is replaced (a crafted FastCGI
 * record can make libfcgi abort one). SIGTERM or SIGINT stops all: a busy
 * worker finishes its request first. Each worker opens its own SQLite
 * connection after the fork and serves one request at a time.
 */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "db.h"
#include "pages.h"
#include "parse.h"
#include "req.h"
#include "router.h"
#include "tmpl.h"

#define MAX_WORKERS 256

struct options {
	const char *listen, *db, *templates;
	int64_t workers, socket_mode;
};

static volatile sig_atomic_t stopping, busy;

static void
usage(FILE *f)
{
	fprintf(f, "usage: boxoffice.fcgi [--listen unix:PATH|HOST:PORT] "
	    "[--socket-mode MODE] [--workers N]\n"
	    "                      [--db PATH] [--templates DIR]\n"
	    "  --listen       where to accept FastCGI (default: inherited fd 0)\n"
	    "  --socket-mode  permissions of a unix socket (default 0660)\n"
	    "  --workers      worker processes (default: number of cores)\n"
	    "  --db           the database (default var/boxoffice.db)\n"
	    "  --templates    the templates folder (default templates)\n");
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	o->listen = NULL;
	o->db = "var/boxoffice.db";
	o->templates = "templates";
	o->workers = cores > 0 ? cores : 2;
	o->socket_mode = 0660;
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		if (val == NULL)
			goto bad;
		i++;
		if (strcmp(opt, "--listen") == 0)
			o->listen = val;
		else if (strcmp(opt, "--db") == 0)
			o->db = val;
		else if (strcmp(opt, "--templates") == 0)
			o->templates = val;
		else if (strcmp(opt, "--workers") == 0) {
			if (!parse_int64(val, 1, MAX_WORKERS, &o->workers))
				goto bad;
		} else if (strcmp(opt, "--socket-mode") == 0) {
			char *end;

			o->socket_mode = strtol(val, &end, 8);
			if (*end != '\0' || o->socket_mode < 0 || o->socket_mode > 0777)
				goto bad;
		} else
			goto bad;
	}
	return 1;
bad:
	usage(stderr);
	return 0;
}

/* Returns the listening fd, or -1. */
static int
open_listener(const struct options *o)
{
	const char *addr = o->listen;
	int fd;

	if (addr == NULL)
		return 0;
	if (strncmp(addr, "unix:", 5) == 0) {
		addr += 5;
		unlink(addr); /* a stale socket of an earlier run */
		if ((fd = FCGX_OpenSocket(addr, 1024)) < 0)
			return -1;
		if (chmod(addr, (mode_t)o->socket_mode) != 0) {
			perror("boxoffice: chmod socket");
			return -1;
		}
		return fd;
	}
	return FCGX_OpenSocket(addr, 1024);
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
serve(struct app *app, FCGX_Request *fr)
{
	struct req r;
	const char *why = NULL;
	int bad;

	memset(&r, 0, sizeof r);
	r.arena = app->arena; /* its first block is kept between requests */
	r.app = app;
	r.db = app->db;
	r.now = time(NULL);
	buf_reset(&app->body);
	buf_reset(&app->headers);
	r.body = &app->body;
	r.headers = &app->headers;
	bad = req_read(&r, fr, &why);
	auth_load(&r);
	r.json = strncmp(r.path, "/api/", 5) == 0; /* errors as JSON there */
	if (bad)
		page_error(&r, bad, why);
	else
		router_dispatch(&r);
	if (!sqlite3_get_autocommit(app->db->handle)) {
		/* A handler returned inside a transaction: a bug. Never let it
		 * pin the WAL or hold the write lock. */
		fprintf(stderr, "boxoffice: transaction left open by %s\n", r.path);
		db_rollback(app->db);
	}
	req_send(&r, fr);
	arena_reset(&r.arena);
	app->arena = r.arena;
}

static void
worker(int listen_fd, const struct options *o, struct tmpl_set *tmpl)
{
	struct sigaction sa;
	struct app app;
	FCGX_Request fr;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term_worker;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the parent, which stops us */
	memset(&app, 0, sizeof app);
	app.tmpl = tmpl;
	if ((app.db = db_open(o->db, 0)) == NULL)
		_exit(1);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, 0) != 0)
		_exit(1);
	while (!stopping) {
		if (FCGX_Accept_r(&fr) < 0)
			break;
		busy = 1;
		serve(&app, &fr);
		FCGX_Finish_r(&fr);
		busy = 0;
	}
	seatmap_cache_free(&app.seatmaps);
	arena_free(&app.arena);
	arena_free(&app.home_arena);
	db_close(app.db);
	_exit(0);
}

static void
on_term_parent(int sig)
{
	(void)sig;
	stopping = 1;
}

static pid_t
spawn(int listen_fd, const struct options *o, struct tmpl_set *tmpl)
{
	pid_t pid = fork();

	if (pid == 0)
		worker(listen_fd, o, tmpl);
	if (pid < 0)
		perror("boxoffice: fork");
	return pid;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct tmpl_set *tmpl;
	struct sigaction sa;
	pid_t pids[MAX_WORKERS];
	time_t born[MAX_WORKERS];
	struct db *db;
	int fd, version;

	if (!parse_options(argc, argv, &o))
		return 2;
	if (sodium_init() < 0) {
		fprintf(stderr, "boxoffice: libsodium failed to start\n");
		return 1;
	}
	if ((db = db_open(o.db, 0)) == NULL)
		return 1;
	version = db_schema_version(db);
	db_close(db);
	if (version != db_schema_latest()) {
		fprintf(stderr, "boxoffice: %s is at schema version %d, this program "
		    "needs %d: run 'boxoffice-admin --db %s init'\n", o.db, version,
		    db_schema_latest(), o.db);
		return 1;
	}
	if ((tmpl = tmpl_load(o.templates)) == NULL)
		return 1;
	if ((fd = open_listener(&o)) < 0) {
		fprintf(stderr, "boxoffice: cannot listen on %s: %s\n", o.listen,
		    strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term_parent; /* no SA_RESTART: wait() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (int i = 0; i < o.workers; i++) {
		pids[i] = spawn(fd, &o, tmpl);
		born[i] = time(NULL);
	}
	fprintf(stderr, "boxoffice: %d workers on %s\n", (int)o.workers,
	    o.listen ? o.listen : "fd 0");
	while (!stopping) {
		int status;
		pid_t dead = wait(&status);

		if (dead < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < o.workers && !stopping; i++) {
			if (pids[i] != dead)
				continue;
			fprintf(stderr, "boxoffice: worker %d died (%s %d); "
			    "starting another\n", (int)dead,
			    WIFSIGNALED(status) ? "signal" : "exit",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			if (time(NULL) - born[i] < 1)
				sleep(1); /* dying at birth: do not spin */
			pids[i] = spawn(fd, &o, tmpl);
			born[i] = time(NULL);
		}
	}
	for (int i = 0; i < o.workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	if (o.listen && strncmp(o.listen, "unix:", 5) == 0)
		unlink(o.listen + 5);
	tmpl_free(tmpl);
	return 0;
}
