/*
 * admin.c — boxoffice-admin, the operator's command line.
 *
 *   boxoffice-admin [--db PATH] init | demo | settings | get KEY |
 *       set KEY VALUE | add-concert … | add-performance … |
 *       loadtest-buyers N CONCERT [BALANCE]
 *
 * Options come before the command (--db PATH or --db=PATH; cli.h); what
 * follows the command is its own. Every command runs through core/, like
 * the web pages do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "catalog.h"
#include "cli.h"
#include "db.h"
#include "demo.h"
#include "log.h"
#include "parse.h"
#include "queue.h"
#include "setting.h"
#include "utf8.h"
#include "wallet.h"
#include "when.h"

struct command {
	const char *name, *args, *help;
	int min_args, max_args; /* arguments after the command's name */
	int (*run)(struct db *db, int argc, char **argv);
	const char *more; /* shown by COMMAND --help only; NULL: nothing more */
};

static int
fail(enum bo_status s, const char *what)
{
	static const char *const why[BO__MAX] = {
		[BO_OK] = "ok", [BO_NOT_FOUND] = "not found",
		[BO_INVALID] = "invalid input", [BO_CONFLICT] = "already exists",
		[BO_KEY_REUSED] = "key used before for another request",
		[BO_FORBIDDEN] = "forbidden", [BO_THROTTLED] = "throttled",
		[BO_LIMIT] = "limit reached", [BO_GONE] = "gone",
		[BO_INSUFFICIENT] = "insufficient balance",
		[BO_BUSY] = "database busy, try again", [BO_ERROR] = "database error",
		[BO_UNAVAILABLE] = "the database cannot be written now (disk full, "
		    "I/O error or out of memory)",
	};

	log_say("%s: %s", what, why[s]);
	return 1;
}

/*
 * Every argument is text that may end up on a page or in JSON: refused
 * here, with the argument named, unless it is UTF-8 without control
 * characters (but tab, CR and LF: a description may have lines). Shells
 * and scripts in another encoding (Latin-1, EUC-KR) are the usual cause.
 */
static int
arguments_are_text(const struct command *c, int argc, char **argv)
{
	for (int k = 1; k < argc; k++) {
		const unsigned char *p = (const unsigned char *)argv[k];
		const char *why = NULL;

		for (; *p != '\0' && why == NULL; p++)
			if ((*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') ||
			    *p == 0x7f)
				why = "contains a control character";
		if (why == NULL && !utf8_valid_str(argv[k]))
			why = "is not UTF-8 text (is the terminal or the script in "
			    "another encoding?)";
		if (why != NULL) {
			/* Named as in the usage line: the k-th word of c->args
			 * (the last one, "BLOCK...", stands for the rest). */
			const char *w = c->args;
			size_t len;

			for (int i = 1; i < k && w[strcspn(w, " ")] != '\0'; i++)
				w += strcspn(w, " ") + 1;
			w += strspn(w, "[");
			len = strcspn(w, " ]");
			log_say("%s: argument %d (%.*s) %s; nothing was changed",
			    c->name, k, (int)len, w, why);
			return 0;
		}
	}
	return 1;
}

static int
cmd_init(struct db *db, int argc, char **argv)
{
	enum bo_status s;

	(void)argc, (void)argv;
	if ((s = db_migrate(db)) != BO_OK)
		return fail(s, "init");
	printf("database ready (schema version %d)\n", db_schema_version(db));
	return 0;
}

static int
cmd_demo(struct db *db, int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct concert_summary *list;
	enum bo_status s;
	size_t n;

	(void)argc, (void)argv;
	if ((s = db_migrate(db)) != BO_OK)
		return fail(s, "demo");
	s = catalog_concerts(db, &a, 0, &list, &n);
	arena_free(&a);
	if (s != BO_OK)
		return fail(s, "demo");
	if (n > 0) {
		printf("the catalogue has concerts already; demo not loaded\n");
		return 0;
	}
	if ((s = demo_load(db, time(NULL))) != BO_OK)
		return fail(s, "demo");
	printf("demo catalogue loaded: 3 concerts, 7 performances\n");
	return 0;
}

static int
cmd_settings(struct db *db, int argc, char **argv)
{
	(void)argc, (void)argv;
	for (int k = 0; k < SETTING__MAX; k++) {
		char v[128];
		enum bo_status s = setting_get(db, (enum setting_key)k, v, sizeof v);

		if (s != BO_OK)
			return fail(s, "settings");
		printf("%-15s %-12s %s (default %s)\n", setting_name(k), v,
		    setting_help(k), setting_default(k));
	}
	return 0;
}

static enum setting_key
known_key(const char *name)
{
	enum setting_key k = setting_lookup(name);

	if (k == SETTING__MAX) {
		char known[512];
		size_t n = 0;

		known[0] = '\0';
		for (int i = 0; i < SETTING__MAX && n < sizeof known; i++)
			n += (size_t)snprintf(known + n, sizeof known - n, " %s",
			    setting_name(i));
		log_say("unknown setting '%s'; these exist:%s", name, known);
	}
	return k;
}

static int
cmd_get(struct db *db, int argc, char **argv)
{
	enum setting_key k = known_key(argv[1]);
	char v[128];
	enum bo_status s;

	(void)argc;
	if (k == SETTING__MAX)
		return 2;
	if ((s = setting_get(db, k, v, sizeof v)) != BO_OK)
		return fail(s, "get");
	printf("%s\n", v);
	return 0;
}

static int
cmd_set(struct db *db, int argc, char **argv)
{
	enum setting_key k = known_key(argv[1]);
	char err[512];
	enum bo_status s;

	(void)argc;
	if (k == SETTING__MAX)
		return 2;
	s = setting_set(db, k, argv[2], err, sizeof err);
	if (s == BO_INVALID || s == BO_CONFLICT) {
		/* a bad value, or a currency that would change stored amounts */
		log_say("%s", err);
		return s == BO_INVALID ? 2 : 1;
	}
	if (s != BO_OK)
		return fail(s, "set");
	printf("%s = %s\n", setting_name(k), argv[2]);
	return 0;
}

static int
cmd_add_concert(struct db *db, int argc, char **argv)
{
	int64_t id;
	enum bo_status s = catalog_add_concert(db, argv[1], argv[2], argv[3],
	    argc > 4 ? argv[4] : "", &id);

	if (s != BO_OK)
		return fail(s, "add-concert");
	printf("%lld\n", (long long)id);
	return 0;
}

/* Parses SECTION:ROWS:SEATS:PRICE, ROWS as a letter range like A-J. */
static int
parse_block(char *spec, struct seat_block *b)
{
	char *section = strtok(spec, ":"), *rows = strtok(NULL, ":");
	char *seats = strtok(NULL, ":"), *price = strtok(NULL, ":");
	int64_t per_row;

	if (!section || !rows || !seats || !price || strtok(NULL, ":") ||
	    strlen(rows) != 3 || rows[1] != '-' || rows[0] < 'A' ||
	    rows[2] > 'Z' || rows[0] > rows[2] ||
	    !parse_int64(seats, 1, 200, &per_row) ||
	    !parse_int64(price, 0, INT64_C(1000000000000), &b->price))
		return 0;
	b->section = section;
	b->first_row = rows[0];
	b->last_row = rows[2];
	b->per_row = (int)per_row;
	return 1;
}

/* Reads the time argument named what in the venue's zone; says why not. */
static int
time_arg(const char *what, const char *text, const char *zone, int64_t *out)
{
	char err[WHEN_ERR_MAX];

	if (when_parse(text, zone, out, err, sizeof err))
		return 1;
	log_say("%s: %s", what, err);
	return 0;
}

static int
cmd_add_performance(struct db *db, int argc, char **argv)
{
	struct seat_block blocks[16];
	struct settings set;
	int64_t concert, starts, opens, closes, id, prequeue = 0;
	char st[WHEN_TEXT_MAX], op[WHEN_TEXT_MAX], cl[WHEN_TEXT_MAX];
	size_t n = 0;
	enum bo_status s;

	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "add-performance");
	if (!parse_int64(argv[1], 1, INT64_MAX, &concert)) {
		log_say("CONCERT is a concert's id (a whole number)");
		return 2;
	}
	if (!time_arg("STARTS", argv[2], set.timezone, &starts) ||
	    !time_arg("SALE_OPENS", argv[3], set.timezone, &opens) ||
	    !time_arg("SALE_CLOSES", argv[4], set.timezone, &closes))
		return 2;
	when_format(starts, set.timezone, st, sizeof st);
	when_format(opens, set.timezone, op, sizeof op);
	when_format(closes, set.timezone, cl, sizeof cl);
	if (opens > closes || closes > starts) {
		log_say("the sale must open before it closes and close by the "
		    "start: it opens %s, closes %s, and the performance starts %s",
		    op, cl, st);
		return 2;
	}
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--prequeue-opens") == 0 && i + 1 < argc) {
			if (!time_arg("--prequeue-opens", argv[++i], set.timezone,
			    &prequeue))
				return 2;
			if (prequeue > opens) {
				log_say("--prequeue-opens: the pre-queue must open "
				    "by the sale (%s)", op);
				return 2;
			}
			continue;
		}
		if (n == sizeof blocks / sizeof blocks[0] ||
		    !parse_block(argv[i], &blocks[n++])) {
			log_say("bad seat block '%s' (want SECTION:A-J:30:99000)",
			    argv[i]);
			return 2;
		}
	}
	s = catalog_add_performance(db, concert, starts, opens, closes, blocks,
	    n, &id);
	if (s != BO_OK)
		return fail(s, "add-performance (is the concert there?)");
	if (prequeue != 0 && (s = queue_set_prequeue(db, concert, prequeue)) !=
	    BO_OK)
		return fail(s, "add-performance: --prequeue-opens (has the "
		    "concert's queue opened already?)");
	/* The id alone on standard output, for scripts; what was understood
	 * on standard error, for the person typing. */
	printf("%lld\n", (long long)id);
	log_say("performance %lld of concert %lld, in %s:\n"
	    "  starts       %s\n  sale opens   %s\n  sale closes  %s",
	    (long long)id, (long long)concert, set.timezone, st, op, cl);
	return 0;
}

/*
 * For load tests only (make bench): N buyers at once, without N scrypt
 * hashes. They share one hash of a random password nobody knows, so nobody
 * can log in as them; each gets a session, and optionally a queue ticket
 * for CONCERT (0: none) and a wallet charge of BALANCE. One line per buyer:
 * SESSION_TOKEN, CSRF_TOKEN, QUEUE_TOKEN ("-" without one), tab-separated.
 * Every buyer is written in its own short transactions, through core/.
 */
static int
cmd_loadtest_buyers(struct db *db, int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct performance *perfs;
	struct settings set;
	struct concert c;
	int64_t n, concert, balance = 0, now = time(NULL);
	const char *hash;
	char run[16];
	enum bo_status s;
	size_t np;

	if (!parse_int64(argv[1], 1, 1000000, &n) ||
	    !parse_int64(argv[2], 0, INT64_MAX, &concert) ||
	    (argc > 3 && !parse_int64(argv[3], 0, INT64_C(1000000000000),
	    &balance))) {
		log_say("N is 1 to 1000000, CONCERT an id (0: no queue ticket), "
		    "BALANCE a whole amount");
		return 2;
	}
	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "loadtest-buyers");
	if (concert > 0) {
		s = catalog_concert(db, &a, concert, now, &c, &perfs, &np);
		arena_free(&a);
		if (s != BO_OK)
			return fail(s, "loadtest-buyers: concert");
	}
	hash = account_unknown_password_hash();
	random_token(run, sizeof run, 6);
	for (int64_t i = 1; i <= n; i++) {
		char email[ACCOUNT_EMAIL_MAX + 1];
		struct session_new sn;
		struct queue_view q;
		int64_t left = balance, after;
		int replayed;

		snprintf(email, sizeof email, "loadtest-%s-%lld@example.invalid",
		    run, (long long)i);
		s = account_create_hashed(db, email, hash, now, set.session_ttl, &sn);
		if (s != BO_OK)
			return fail(s, "loadtest-buyers: account");
		strcpy(q.token, "-");
		if (concert > 0 && (s = queue_join(db, concert, sn.user_id, now,
		    &set, &q)) != BO_OK)
			return fail(s, "loadtest-buyers: queue");
		/* Called at once (a slot was free): the buyer comes in. */
		if (concert > 0 && q.state == Q_CALLED &&
		    (s = queue_status(db, concert, sn.user_id, NULL, now, &set,
		    &q)) != BO_OK)
			return fail(s, "loadtest-buyers: queue");
		while (left > 0) {
			int64_t amount = left < set.max_charge ? left : set.max_charge;

			s = wallet_charge(db, sn.user_id, amount, set.max_charge, NULL,
			    now, &after, &replayed);
			if (s != BO_OK)
				return fail(s, "loadtest-buyers: wallet");
			left -= amount;
		}
		printf("%s\t%s\t%s\n", sn.token, sn.csrf, q.token);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The concert's pre-queue opening: a time, or "default" (30 minutes
 * before its first sale opens). */
static int
cmd_prequeue_opens(struct db *db, int argc, char **argv)
{
	struct settings set;
	int64_t concert, at = 0;
	char text[WHEN_TEXT_MAX];
	enum bo_status s;

	(void)argc;
	if ((s = settings_load(db, &set)) != BO_OK)
		return fail(s, "prequeue-opens");
	if (!parse_int64(argv[1], 1, INT64_MAX, &concert)) {
		log_say("CONCERT is a concert's id (a whole number)");
		return 2;
	}
	if (strcmp(argv[2], "default") != 0 &&
	    !time_arg("--prequeue-opens", argv[2], set.timezone, &at))
		return 2;
	if ((s = queue_set_prequeue(db, concert, at)) != BO_OK)
		return fail(s, "prequeue-opens (is the concert there, its "
		    "queue not yet opened?)");
	if (at != 0) {
		when_format(at, set.timezone, text, sizeof text);
		log_say("concert %lld: the pre-queue opens %s", (long long)concert,
		    text);
	} else {
		log_say("concert %lld: the pre-queue opens 30 minutes before "
		    "the first sale", (long long)concert);
	}
	return 0;
}

/* A new key signs queue tickets from now on; the one before still
 * verifies the tokens it signed. */
static int
cmd_rotate_queue_key(struct db *db, int argc, char **argv)
{
	enum bo_status s;
	int64_t id = 0;

	(void)argc, (void)argv;
	if ((s = queue_key_rotate(db, time(NULL), &id)) != BO_OK)
		return fail(s, "rotate-queue-key");
	printf("%lld\n", (long long)id);
	log_say("queue key %lld signs from now on; tokens of the key before "
	    "still verify, older ones no more", (long long)id);
	return 0;
}

/* What add-performance --help says beyond its line in the list. */
#define ADD_PERFORMANCE_MORE \
	"\nSTARTS, SALE_OPENS and SALE_CLOSES are read in the venue's time zone\n" \
	"(the 'timezone' setting) unless they carry an offset:\n" \
	"  2026-12-24 19:30        venue time (also 2026-12-24T19:30, and :SS)\n" \
	"  2026-12-24T19:30+09:00  with an offset (+HH:MM, +HHMM or Z)\n" \
	"  @1798108200             Unix seconds (a bare number too, but not of\n" \
	"                          8 or more than 10 digits: those are dates)\n" \
	"A venue time that the clocks skip (spring forward) or show twice\n" \
	"(fall back) is refused; for a repeated one, give the offset.\n" \
	"The sale must open before it closes, and close by the start.\n\n" \
	"--prequeue-opens TIME (among the BLOCKs) sets when the concert's\n" \
	"pre-queue opens (default: 30 minutes before its first sale opens).\n\n" \
	"BLOCK is SECTION:ROWS:SEATS:PRICE: ROWS a letter range such as A-J,\n" \
	"SEATS per row (1 to 200), PRICE in the currency's smallest unit.\n\n" \
	"Prints the new performance's id on standard output (for scripts) and\n" \
	"the three times as understood, in the venue's zone, on standard error.\n"

static const struct command commands[] = {
	{ "init", "", "create the database, or migrate it to this version", 0, 0,
	  cmd_init, NULL },
	{ "demo", "", "load the demo catalogue into an empty database", 0, 0,
	  cmd_demo, NULL },
	{ "settings", "", "list every setting with its value and meaning", 0, 0,
	  cmd_settings, NULL },
	{ "get", "KEY", "print one setting", 1, 1, cmd_get, NULL },
	{ "set", "KEY VALUE", "change one setting; workers see it at once", 2, 2,
	  cmd_set, NULL },
	{ "add-concert", "TITLE ARTIST VENUE [DESCRIPTION]",
	  "add a concert; prints its id", 3, 4, cmd_add_concert, NULL },
	{ "add-performance", "CONCERT STARTS SALE_OPENS SALE_CLOSES "
	  "[--prequeue-opens TIME] BLOCK...",
	  "add a performance with seat blocks like VIP:A-D:25:165000; times "
	  "as 2026-12-24 19:30 in the venue's zone; prints its id", 5, 20, cmd_add_performance, ADD_PERFORMANCE_MORE },
	{ "prequeue-opens", "CONCERT TIME|default",
	  "when the concert's pre-queue opens (--prequeue-opens of "
	  "add-performance); default: 30 minutes before its first sale",
	  2, 2, cmd_prequeue_opens, NULL },
	{ "rotate-queue-key", "",
	  "make a new key to sign queue tickets; tokens signed with the one "
	  "before still verify; prints its id", 0, 0, cmd_rotate_queue_key,
	  NULL },
	{ "loadtest-buyers", "N CONCERT [BALANCE]",
	  "FOR LOAD TESTS ONLY (make bench): create N buyers sharing one hash "
	  "of a random password nobody knows, each with a session, a queue "
	  "ticket for CONCERT (0: none; called while queue_capacity allows, "
	  "else waiting; in its pre-queue, a random place) and BALANCE charged to the wallet; prints "
	  "SESSION_TOKEN CSRF_TOKEN QUEUE_TOKEN per buyer, tab-separated", 2, 3,
	  cmd_loadtest_buyers, NULL },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage(FILE *f)
{
	fprintf(f, "usage: boxoffice-admin [--db PATH] COMMAND [ARGS]\n\n"
	    "  --db PATH   the database (default $BOXOFFICE_DB or var/boxoffice.db)\n"
	    "  -h, --help  this text\n\n"
	    "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-16s %s\n      %s\n", commands[i].name,
		    commands[i].args, commands[i].help);
	fprintf(f, "\n'boxoffice-admin COMMAND --help' explains one command.\n");
}

/* The command being run, for usage_of_command(). */
static const struct command *command;

/* One command's usage, the way usage() lists the whole program's. */
static void
usage_of_command(FILE *f)
{
	fprintf(f, "usage: boxoffice-admin [--db PATH] %s %s\n  %s\n",
	    command->name, command->args, command->help);
}

int
main(int argc, char **argv)
{
	enum { OPT_DB = 1 };
	static const struct option options[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("BOXOFFICE_DB");
	const struct command *c = NULL;
	struct db *db;
	int rc, opt;

	log_set_program("boxoffice-admin");
	if (path == NULL)
		path = "var/boxoffice.db";
	while ((opt = cli_option(argc, argv, "h", options)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case OPT_DB:
			path = optarg;
			break;
		default:
			return cli_bad_option(usage);
		}
	}
	if (optind == argc)
		return cli_usage_error(usage, "no command given");
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (strcmp(argv[optind], commands[k].name) == 0)
			c = &commands[k];
	if (c == NULL)
		return cli_usage_error(usage, "unknown command '%s'", argv[optind]);
	command = c;
	argc -= optind;
	argv += optind;
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--help") == 0) {
			usage_of_command(stdout);
			if (c->more != NULL)
				fputs(c->more, stdout);
			return 0;
		}
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		char wanted[32];

		if (c->max_args == 0)
			snprintf(wanted, sizeof wanted, "no");
		else if (c->min_args == c->max_args)
			snprintf(wanted, sizeof wanted, "%d", c->min_args);
		else
			snprintf(wanted, sizeof wanted, "%d to %d", c->min_args,
			    c->max_args);
		return cli_usage_error(usage_of_command, "%s takes %s argument%s, "
		    "not %d", c->name, wanted, c->max_args == 1 ? "" : "s",
		    argc - 1);
	}
	if (!arguments_are_text(c, argc, argv))
		return 2;
	if ((db = db_open(path, c->run == cmd_init || c->run == cmd_demo)) == NULL)
		return 1;
	if (c->run != cmd_init && c->run != cmd_demo &&
	    db_schema_version(db) != db_schema_latest()) {
		log_say("%s is at schema version %d, this program needs %d: run "
		    "'boxoffice-admin init' first", path,
		    db_schema_version(db), db_schema_latest());
		db_close(db);
		return 1;
	}
	rc = c->run(db, argc, argv);
	db_close(db);
	return rc;
}
