/*
 * main.c — boxoffice.fcgi: listens, preforks workers, respawns the dead.
 *
 *   boxoffice.fcgi [--listen unix:PATH|HOST:PORT] [--socket-mode 0660]
 *                  [--workers N] [--db PATH] [--templates DIR]
 *                  [--client-timeout SECONDS] [--access-log]
 *
 * (--name VALUE or --name=VALUE: cli.h.)
 *
 * Without --listen the socket is inherited on fd 0 (spawn-fcgi, systemd).
 * The parent binds, loads the templates, checks the schema, forks N
 * workers and waits; a worker that dies is replaced (a crafted FastCGI
 * record can make libfcgi abort one), at once unless it died before it was
 * ready (then its slot waits, longer each time). Workers end when the
 * parent does (PR_SET_PDEATHSIG): no orphan keeps serving after its master
 * is gone. SIGTERM or SIGINT stops all: a busy worker finishes its request
 * first. Each worker opens its own
 * SQLite connection after the fork and serves one request at a time.
 *
 * The master maps the service's counters (metrics_shm.h) before the first
 * fork: every worker, and every worker that replaces a dead one, adds to
 * the same pages, and GET /metrics in any of them reads them all. Per
 * request that costs two clock readings and three relaxed atomic adds.
 *
 * A FastCGI client gets --client-timeout seconds to send its whole request
 * and again to take its answer (client_deadline below): libfcgi has no
 * timeout of its own, so a client that stalls mid-record would otherwise
 * hold a worker for ever.
 */
#include <assert.h>
#include <errno.h>
#include <fcgiapp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "db.h"
#include "metrics_shm.h"
#include "reqlog.h"
#include "parse.h"
#include "req.h"
#include "router.h"
#include "tmpl.h"
#include "ui_shared.h"

#define MAX_WORKERS 256

#define MAX_CLIENT_TIMEOUT 3600

struct options {
	const char *listen, *db, *templates;
	int64_t workers, socket_mode, client_timeout;
	int access_log;
};

static volatile sig_atomic_t stopping, busy, deadline_passed;

/* The shared counters: mapped once by the master before any fork, so
 * every process of the service holds the same pointer. */
static struct metrics_shm *metrics;

static void
usage(FILE *f)
{
	fprintf(f, "usage: boxoffice.fcgi [--listen unix:PATH|HOST:PORT] "
	    "[--socket-mode MODE] [--workers N]\n"
	    "                      [--db PATH] [--templates DIR] "
	    "[--client-timeout SECONDS]\n"
	    "                      [--access-log]\n"
	    "  --listen       where to accept FastCGI (default: inherited fd 0)\n"
	    "  --socket-mode  permissions of a unix socket (default 0660)\n"
	    "  --workers      worker processes (default: number of cores)\n"
	    "  --db           the database (default var/boxoffice.db)\n"
	    "  --templates    the templates folder (default templates)\n"
	    "  --client-timeout  seconds a FastCGI client may take to send its\n"
	    "                 request, and again to take its answer (default 10)\n"
	    "  --access-log   log a line at the end of every request (default:\n"
	    "                 only of one that logged a message, answered 5xx or\n"
	    "                 took a second or more)\n"
	    "  -h, --help     this text\n");
}

/* Reads the command line into o: 0 when the program should exit with
 * *status (after --help, or a mistake already said), 1 to go on. */
static int
parse_options(int argc, char **argv, struct options *o, int *status)
{
	enum { OPT_LISTEN = 1, OPT_SOCKET_MODE, OPT_WORKERS, OPT_DB,
	    OPT_TEMPLATES, OPT_CLIENT_TIMEOUT, OPT_ACCESS_LOG };
	static const struct option options[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "db", required_argument, NULL, OPT_DB },
		{ "templates", required_argument, NULL, OPT_TEMPLATES },
		{ "client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT },
		{ "access-log", no_argument, NULL, OPT_ACCESS_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int opt;

	o->listen = NULL;
	o->db = "var/boxoffice.db";
	o->templates = "templates";
	o->workers = cores > 0 ? cores : 2;
	o->socket_mode = 0660;
	o->client_timeout = 10;
	o->access_log = 0;
	*status = 2;
	while ((opt = cli_option(argc, argv, "h", options)) != -1) {
		char *end;

		switch (opt) {
		case 'h':
			usage(stdout);
			*status = 0;
			return 0;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_TEMPLATES:
			o->templates = optarg;
			break;
		case OPT_ACCESS_LOG:
			o->access_log = 1;
			break;
		case OPT_WORKERS:
			if (!parse_int64(optarg, 1, MAX_WORKERS, &o->workers)) {
				cli_usage_error(usage, "--workers takes a whole number "
				    "from 1 to %d, not '%s'", MAX_WORKERS, optarg);
				return 0;
			}
			break;
		case OPT_CLIENT_TIMEOUT:
			if (!parse_int64(optarg, 1, MAX_CLIENT_TIMEOUT,
			    &o->client_timeout)) {
				cli_usage_error(usage, "--client-timeout takes seconds "
				    "from 1 to %d, not '%s'", MAX_CLIENT_TIMEOUT, optarg);
				return 0;
			}
			break;
		case OPT_SOCKET_MODE:
			errno = 0;
			o->socket_mode = strtol(optarg, &end, 8);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    o->socket_mode < 0 || o->socket_mode > 0777) {
				cli_usage_error(usage, "--socket-mode takes octal "
				    "permissions such as 0660, not '%s'", optarg);
				return 0;
			}
			break;
		default:
			cli_bad_option(usage);
			return 0;
		}
	}
	if (optind < argc) {
		cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
		return 0;
	}
	return 1;
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
			log_msg(NULL, LOG_ERROR, "chmod %s: %s", addr, strerror(errno));
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

/*
 * The client deadline. libfcgi reads a request's records inside
 * FCGX_Accept_r with plain blocking reads, and never retries one that fails
 * with EINTR: the stream is marked broken, the connection closed, and
 * FCGX_Accept_r goes back to accepting. So a timer whose signal interrupts
 * those reads bounds them, wherever libfcgi is. It fires once after the
 * timeout, then every DEADLINE_REPEAT_MS, so a read, write or poll that
 * starts after the first signal (libfcgi's close drains the socket with
 * poll) is cut short too. The handler only records that it fired.
 */
#define DEADLINE_REPEAT_MS 250

static void
on_alarm(int sig)
{
	(void)sig;
	deadline_passed = 1;
}

static void
client_deadline(int64_t seconds)
{
	struct itimerval t;

	memset(&t, 0, sizeof t);
	if (seconds > 0) {
		t.it_value.tv_sec = (time_t)seconds;
		t.it_interval.tv_usec = DEADLINE_REPEAT_MS * 1000;
		deadline_passed = 0;
	}
	setitimer(ITIMER_REAL, &t, NULL);
}

/* Ends the deadline; returns whether it passed. */
static int
client_deadline_off(void)
{
	int passed;

	client_deadline(0);
	passed = deadline_passed; /* a last signal may land during the call */
	deadline_passed = 0;
	return passed;
}

/*
 * Accepts the next connection. We accept, not libfcgi: the deadline must
 * start the moment a client is connected, and libfcgi's own accept sits
 * inside FCGX_Accept_r with no way to know when it returned. FCGX_Accept_r
 * reads from a connection that is already open (fr->ipcFd, the way libfcgi
 * 2.4 serves a kept FCGI_KEEP_CONN connection), so the accepted fd is put
 * there, marked kept so that the FCGX_Finish_r it starts with does not close
 * it. The request is initialised with no listening socket (-1): when
 * libfcgi drops a broken connection and tries to accept by itself, that
 * fails at once and FCGX_Accept_r hands control back here. Returns 0, or -1
 * when the listening socket itself is unusable. (libfcgi's
 * FCGI_WEB_SERVER_ADDRS filter for TCP does not apply: listen on a unix
 * socket, or firewall the port.)
 */
static int
accept_client(int listen_fd, FCGX_Request *fr)
{
	assert(fr->ipcFd < 0);
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC), one = 1;

		if (fd >= 0) {
			/* On TCP, answers go out at once (as libfcgi does). */
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			fr->ipcFd = fd;
			fr->keepConnection = 1;
			return 0;
		}
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
		case EPERM:
			continue; /* that one client is gone */
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_msg(NULL, LOG_ERROR, "accept: %s", strerror(errno));
			sleep(1); /* let resources come back */
			continue;
		default:
			log_msg(NULL, LOG_ERROR, "accept: %s", strerror(errno));
			return -1;
		}
	}
}

static void
dropped(const char *what, int64_t timeout)
{
	log_msg(NULL, LOG_WARN, "dropped a FastCGI client that %s within %lld s",
	    what, (long long)timeout);
}

static int64_t
elapsed_us(const struct timespec *since)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)(ts.tv_sec - since->tv_sec) * 1000000 +
	    (ts.tv_nsec - since->tv_nsec) / 1000;
}

static void
serve(struct app *app, FCGX_Request *fr, int64_t timeout)
{
	struct timespec start;
	struct req r;
	const char *why = NULL;
	int bad;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(&r, 0, sizeof r);
	r.route = R__MAX; /* until the router finds one */
	r.arena = app->arena; /* its first block is kept between requests */
	r.app = app;
	r.db = app->db;
	r.now = time(NULL);
	buf_reset(&app->body);
	buf_reset(&app->headers);
	r.body = &app->body;
	r.headers = &app->headers;
	log_request_begin(&r);
	bad = req_read(&r, fr, &why); /* the body: still under the deadline */
	if (client_deadline_off())
		dropped("did not send its request body", timeout);
	db_recover(app->db); /* a fresh connection after storage trouble */
	auth_load(&r);
	r.json = strncmp(r.path, "/api/", 5) == 0; /* errors as JSON there */
	if (bad != HTTP_200)
		page_error(&r, bad, why);
	else
		router_dispatch(&r);
	if (db_in_transaction(app->db)) {
		/* A handler returned inside a transaction: a bug. Never let it
		 * pin the WAL or hold the write lock. */
		log_msg(&r, LOG_ERROR, "a transaction was left open: rolled back");
		db_rollback(app->db);
	}
	client_deadline(timeout);
	req_send(&r, fr);
	metrics_shm_request(app->metrics, r.route, http_code(r.status),
	    elapsed_us(&start));
	if (r.refusal == BO_BUSY)
		metrics_shm_db_busy(app->metrics);
	/* Before FCGX_Finish_r frees the parameters (r.path among them). */
	log_request_end(&r);
	FCGX_Finish_r(fr);
	if (client_deadline_off())
		dropped("did not take its answer", timeout);
	arena_reset(&r.arena);
	app->arena = r.arena;
}

static void
worker(int listen_fd, pid_t parent, const struct options *o,
    struct tmpl_set *tmpl, atomic_int *ready)
{
	struct sigaction sa;
	struct app app;
	FCGX_Request fr;

	/* When the parent dies, so do we (after the current request): workers
	 * of a killed master must not serve on, unsupervised. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term_worker;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_alarm; /* no SA_RESTART: reads must fail */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the parent, which stops us */
	memset(&app, 0, sizeof app);
	app.tmpl = tmpl;
	app.metrics = metrics;
	worker_cache_init(&app.cache);
	if ((app.db = db_open(o->db, 0)) == NULL)
		_exit(1);
	/* No listening socket for libfcgi: accept_client() accepts. */
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, -1, 0) != 0)
		_exit(1);
	atomic_store(ready, 1);
	while (!stopping) {
		/* A client that asked to keep its connection (FCGI_KEEP_CONN)
		 * sends its next request on the same one. */
		if (fr.ipcFd < 0 && accept_client(listen_fd, &fr) < 0)
			break;
		busy = 1;
		client_deadline(o->client_timeout);
		if (FCGX_Accept_r(&fr) == 0) {
			serve(&app, &fr, o->client_timeout);
		} else if (client_deadline_off()) {
			dropped("did not send a complete request",
			    o->client_timeout);
		}
		/* Otherwise the client closed early or did not speak FastCGI:
		 * libfcgi closed it, nothing to say. */
		busy = 0;
	}
	worker_cache_free(&app.cache);
	free(app.metrics_snap);
	arena_free(&app.arena);
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
spawn(int listen_fd, const struct options *o, struct tmpl_set *tmpl,
    atomic_int *ready)
{
	pid_t parent = getpid(), pid;

	atomic_store(ready, 0);
	if ((pid = fork()) == 0)
		worker(listen_fd, parent, o, tmpl, ready);
	if (pid < 0)
		log_msg(NULL, LOG_ERROR, "fork: %s", strerror(errno));
	return pid;
}

/*
 * The worker slots. A worker that dies after it was ready (however it
 * died: a crash, libfcgi aborting on a crafted record, kill -9) is replaced
 * at once: its death costs the site a worker only for the time a fork
 * takes, and whoever can crash workers gains nothing from making the master
 * wait. A worker that dies before it was ready (it cannot open the
 * database, say) would only die again: its slot waits, 100 ms and doubling
 * up to 5 s, without holding up the other slots. Readiness is a flag per
 * slot in memory shared with the workers.
 */
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000

struct slot {
	pid_t pid;        /* 0 while waiting to be respawned */
	int64_t due_ms;   /* when to respawn (pid == 0) */
	int unready;      /* deaths in a row before being ready */
	atomic_int *ready; /* set by the worker when it starts accepting */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
slot_start(struct slot *s, int listen_fd, const struct options *o,
    struct tmpl_set *tmpl)
{
	s->pid = spawn(listen_fd, o, tmpl, s->ready);
	if (s->pid < 0) { /* fork failed: try again later */
		s->pid = 0;
		s->due_ms = now_ms() + BACKOFF_MAX_MS;
	}
}

/* A slot's worker died: log it, and start another now or say when. */
static void
slot_died(struct slot *s, int status, int listen_fd, const struct options *o,
    struct tmpl_set *tmpl)
{
	int64_t delay = 0;
	pid_t dead = s->pid;

	if (atomic_load(s->ready)) {
		s->unready = 0;
	} else {
		int shift = s->unready++;

		delay = shift >= 6 ? BACKOFF_MAX_MS : BACKOFF_FIRST_MS << shift;
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
	}
	metrics_shm_worker_restart(metrics);
	s->pid = 0;
	s->due_ms = now_ms() + delay;
	if (delay == 0)
		slot_start(s, listen_fd, o, tmpl);
	if (s->pid > 0)
		log_msg(NULL, LOG_ERROR, "worker %d died (%s %d); started "
		    "worker %d", (int)dead,
		    WIFSIGNALED(status) ? "signal" : "exit",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		    (int)s->pid);
	else
		log_msg(NULL, LOG_ERROR, "worker %d died before it was ready "
		    "(%s %d, %d times in a row); next try in %lld ms",
		    (int)dead, WIFSIGNALED(status) ? "signal" : "exit",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		    s->unready, (long long)delay);
}

int
main(int argc, char **argv)
{
	struct options o;
	struct tmpl_set *tmpl;
	struct sigaction sa;
	struct slot slots[MAX_WORKERS];
	atomic_int *ready;
	char err[TMPL_ERR_MAX];
	struct db *db;
	int fd, version, exit_status;

	log_set_program("boxoffice.fcgi");
	if (!parse_options(argc, argv, &o, &exit_status))
		return exit_status;
	log_start(o.access_log);
	if (sodium_init() < 0) {
		log_msg(NULL, LOG_ERROR, "libsodium failed to start");
		return 1;
	}
	if ((db = db_open(o.db, 0)) == NULL)
		return 1;
	version = db_schema_version(db);
	db_close(db);
	if (version != db_schema_latest()) {
		log_msg(NULL, LOG_ERROR, "%s is at schema version %d, this program "
		    "needs %d: run 'boxoffice-admin --db %s init'", o.db, version,
		    db_schema_latest(), o.db);
		return 1;
	}
	if ((tmpl = tmpl_load(o.templates, err)) == NULL) {
		log_msg(NULL, LOG_ERROR, "%s", err);
		return 1;
	}
	if ((fd = open_listener(&o)) < 0) {
		log_msg(NULL, LOG_ERROR, "cannot listen on %s: %s", o.listen,
		    strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term_parent; /* no SA_RESTART: wait() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	memset(slots, 0, sizeof slots);
	if ((metrics = metrics_shm_create()) == NULL) {
		log_msg(NULL, LOG_ERROR, "mmap (the shared counters): %s",
		    strerror(errno));
		return 1;
	}
	ready = mmap(NULL, sizeof *ready * (size_t)o.workers,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ready == MAP_FAILED) {
		log_msg(NULL, LOG_ERROR, "mmap: %s", strerror(errno));
		return 1;
	}
	for (int i = 0; i < o.workers; i++) {
		slots[i].ready = &ready[i];
		slot_start(&slots[i], fd, &o, tmpl);
	}
	log_msg(NULL, LOG_INFO, "%d workers on %s", (int)o.workers,
	    o.listen ? o.listen : "fd 0");
	while (!stopping) {
		int status, waiting = 0;
		pid_t dead;

		for (int i = 0; i < o.workers; i++) {
			if (slots[i].pid == 0 && slots[i].due_ms <= now_ms())
				slot_start(&slots[i], fd, &o, tmpl);
			waiting |= slots[i].pid == 0;
		}
		/* With a slot waiting for its time, look every 10 ms. */
		dead = waitpid(-1, &status, waiting ? WNOHANG : 0);
		if (dead == 0 || (dead < 0 && errno == ECHILD && waiting)) {
			usleep(10000);
			continue;
		}
		if (dead < 0) {
			if (errno == EINTR)
				continue;
			log_msg(NULL, LOG_ERROR, "wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < o.workers; i++) {
			if (slots[i].pid != dead)
				continue;
			if (stopping)
				slots[i].pid = 0;
			else
				slot_died(&slots[i], status, fd, &o, tmpl);
		}
	}
	for (int i = 0; i < o.workers; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	if (o.listen && strncmp(o.listen, "unix:", 5) == 0)
		unlink(o.listen + 5);
	tmpl_free(tmpl);
	metrics_shm_destroy(metrics);
	return 0;
}
