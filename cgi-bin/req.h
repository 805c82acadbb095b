/*
 * req.h — one HTTP request and its response, as a page handler sees them.
 *
 * A worker fills a struct req per request (req_read), hands it to the
 * router, and sends what the handler wrote (req_send). All request memory
 * is in req->arena and dies with the request.
 */
#ifndef BOXOFFICE_REQ_H
#define BOXOFFICE_REQ_H

#include <fcgiapp.h>
#include <stdint.h>

#include "account.h"
#include "arena.h"
#include "buf.h"
#include "cache.h"
#include "db.h"
#include "http_status.h"
#include "params.h"
#include "setting.h"
#include "tmpl.h"

#define REQ_MAX_BODY (16 * 1024)
#define REQ_MAX_QUERY 4096

enum method { M_GET = 1, M_HEAD = 2, M_POST = 4, M_DELETE = 8, M_OTHER = 16 };

/* The name of a method, for hashing requests; static storage. */
const char *req_method_name(enum method m);

struct metrics_shm;
struct metrics_snapshot;

/* What a worker keeps between requests. */
struct app {
	struct db *db;
	struct tmpl_set *tmpl;
	char tz[64];       /* the TZ currently applied to this process */
	struct buf body;   /* reused response buffers */
	struct buf headers;
	struct arena arena;            /* lent to each request, then reset */
	/* Seat grids, the front page's list, the queue's snapshots: through
	 * worker_cache(r), which keeps them in step with the settings. */
	struct worker_cache cache;
	/* The settings as this worker last read them, for a request whose
	 * own read fails (req_settings): not a cache (nothing is served from
	 * it while the settings can be read). */
	struct settings last_settings;
	int have_last_settings;
	/* The service's counters, shared with the master and every worker
	 * (mapped by the master before it forked: metrics_shm.h), and this
	 * worker's copy of them for a scrape (about 10 KB: not on the
	 * stack; allocated on the first scrape, freed with the worker). */
	struct metrics_shm *metrics;
	struct metrics_snapshot *metrics_snap;
};

struct req {
	struct app *app;
	struct db *db;
	struct arena arena;      /* lent by the worker for this request */
	int64_t now;

	/* request */
	enum method method;
	const char *path;        /* DOCUMENT_URI: normalised by nginx */
	const char *uri;         /* REQUEST_URI: as sent, with the query */
	const char *page;        /* a form's answer: the address that shows
	                          * its page again (router.c); NULL: uri */
	const char *remote_addr;
	const char *content_type;
	const char *authorization;   /* Authorization header, or "" */
	const char *queue_token_hdr; /* X-Queue-Token header, or NULL */
	const char *idem_key;        /* Idempotency-Key header, or NULL */
	const char *accept_language; /* Accept-Language header, or NULL */
	int https;
	struct params query, form, cookies;
	const char *raw;         /* the body as sent (POST, PUT, DELETE) */
	size_t raw_len;
	int64_t id;              /* the {id} of the matched route */
	unsigned route;          /* router.h's enum route: R__MAX for none */
	int json;                /* answer errors as JSON, not pages */

	/* who is asking (auth.c) */
	int logged_in;
	enum bo_status auth_error; /* BO_OK, or why the session could not be
	                            * checked (the database failed) */
	struct session_info session;
	const char *anon_csrf;   /* the pre-login CSRF cookie, if any */
	/* the language of the pages (lang.h): 1 + its index, 0 until
	 * view_lang() chose it */
	int lang;
	int settings_loaded;
	struct settings settings;
	enum bo_status settings_error; /* BO_OK, or why none could be had */

	/* response */
	enum http_status status;
	enum bo_status refusal;  /* the core/ status a refusal answered
	                          * (outcome.c), BO_OK when none: the worker
	                          * counts the 503s of a busy database */
	struct buf *headers;     /* extra header lines, CRLF-terminated */
	struct buf *body;
	const char *content_type_out;
	/* NULL sends "no-store": every answer of the workers is live (seats,
	 * places in line, a countdown) or private (a session, a CSRF form),
	 * and Back must not show it stale; deciding it here means a new page
	 * cannot forget it. A page that is neither may set its own policy.
	 * Static files come from nginx with their own. */
	const char *cache_control;
};

/*
 * Reads one request from the FastCGI stream: parameters, query, cookies and
 * exactly CONTENT_LENGTH bytes of body (r->raw). On bad input returns the
 * status to answer (HTTP_400, HTTP_413, HTTP_414) with *why set (a msgid,
 * static: the error page translates it); HTTP_200 when fine.
 */
enum http_status req_read(struct req *r, FCGX_Request *fr, const char **why);
/* Decodes r->raw as an urlencoded form into r->form: HTTP_200, or the
 * status to answer (HTTP_400, HTTP_413, HTTP_415) with *why set (a msgid,
 * static). */
enum http_status req_parse_form(struct req *r, const char **why);
/* Writes status, headers and body to the FastCGI stream. */
void req_send(struct req *r, FCGX_Request *fr);

/* Response helpers. value must live until req_send (a literal or the
 * request's arena); a Cache-Control replaces the default (no-store). */
void req_header(struct req *r, const char *name, const char *value);
void req_redirect(struct req *r, const char *location);
/* The settings, loaded on first use in this request. When the database
 * cannot be read, the values this worker read last; when it has none, the
 * defaults, and r->settings_error says why (a write must not run on
 * them: the router refuses it). */
const struct settings *req_settings(struct req *r);

/* Query and form values, NULL when absent. */
const char *req_query(const struct req *r, const char *name);
const char *req_form(const struct req *r, const char *name);

#endif
