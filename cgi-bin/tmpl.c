/*
 * tmpl.c — compiling and rendering templates (see tmpl.h), and the keys
 * each template declares.
 *
 * A template is compiled once, at master start, into a tree of nodes;
 * rendering walks the tree with a stack of dictionaries.
 */
#include "tmpl.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "lang.h"
#include "reqlog.h"

#define TMPL_DEPTH 16 /* nested sections and partials */

/*
 * The layout's keys, which every template may use: header.html shows them
 * on every page (lang: the page's language; langs: the switch).
 * view_page() (view.c) sets all but refresh, which a page sets when
 * it should reload itself without JavaScript (the waiting room, the live
 * view), and live, which a page sets when app.js should renew its <main>
 * every so many seconds (the live view).
 */
#define LAYOUT_KEYS "title logged_in user_email user_balance csrf here " \
	"notice notice_ok refresh live is_staff is_operator lang lang_switch langs lang_code lang_name lang_current"

/* Each template's file and the keys its page may set beyond the layout's
 * (list items' keys included), space-separated. A key used in the file but
 * not declared here stops tmpl_load(); a key set but not declared here
 * asserts in tdict_*. Add a key here and in the template together. */
static const struct {
	const char *file, *keys;
} defs[TMPL__MAX] = {
	[TMPL_HEADER] = { "header.html", "" },
	[TMPL_FOOTER] = { "footer.html", "" },
	[TMPL_ERROR] = { "error.html", /* page_error.c */
	    "status message link_href link_label retry" },
	[TMPL_HOME] = { "home.html", /* page_home.c */
	    "any concerts id title artist venue first_date first_time "
	    "lowest_price seats_left sold_out more_dates dates sale_opens" },
	[TMPL_CONCERT] = { "concert.html", /* page_concert.c */
	    "id concert_title artist venue description any performances pid "
	    "date time seats_left seat_count price_from on_sale sold_out opens "
	    "closed cancelled active waiting can_join not_on_sale buy_login "
	    "position "
	    "turn_until turn_minutes prequeue line_opens sale_opens unpaid "
	    "any_unpaid unpaid_count href section row number price until" },
	[TMPL_PERFORMANCE] = { "performance.html", /* ui_shared.c */
	    "concert_id concert_title artist venue pid date time seats_left "
	    "seat_count on_sale sale_closed cancelled turn_until opens seat_taken "
	    "hold_limit max_holds pick_gone pick_limit refused options overview "
	    "grid picked picks pick_count total hold_label seat_id section row "
	    "number price holds href until bought any_holds several joins "
	    "add_label" },
	[TMPL_LOGIN] = { "login.html", /* page_account.c */
	    "email next error" },
	[TMPL_SIGNUP] = { "signup.html", /* page_account.c */
	    "email next error email_error password_error taken general_error" },
	[TMPL_QUEUE] = { "queue.html", /* page_queue.c */
	    "concert_id concert_title artist in_line prequeue opens opens_epoch "
	    "now_epoch countdown waiting number serving position ahead first "
	    "eta call zone zone_abbr joined poll_after_ms capacity_words "
	    "active_minutes claim_minutes not_waiting done expired any_unpaid "
	    "unpaid_count" },
	[TMPL_HOLD] = { "hold.html", /* page_holds.c */
	    "hold_id pid concert_id concert_title venue date time section row "
	    "number price balance held deadline deadline_epoch now_epoch "
	    "minutes_left can_pay short_by short_amount paid paid_at payment_id "
	    "released expired refunded_at ticket_id code qr" },
	[TMPL_WALLET] = { "wallet.html", /* page_wallet.c */
	    "balance currency inputmode pattern amount_hint key amount next "
	    "error any ledger kind payment balance_after when href what "
	    "older paged" },
	[TMPL_ORDER] = { "order.html", /* page_orders.c */
	    "order_id pid concert_id concert_title venue date time balance "
	    "seats hold_id section row number price state releasable count held "
	    "total pay_label deadline deadline_epoch now_epoch minutes_left "
	    "can_pay short_by short_amount paid paid_total payment_id over" },
	[TMPL_BOOKINGS] = { "bookings.html", /* page_wallet.c */
	    "any bookings hold_id concert_title venue date time section row "
	    "number price paid_at ticket_id code qr refunded refunded_at "
	    "performance_cancelled can_cancel cancel_until no_cancel older paged "
	    "used_at door any_awaiting awaiting href seats deadline total" },
	[TMPL_TICKET] = { "ticket.html", /* page_tickets.c */
	    "concert_title artist venue date time section row number price "
	    "paid_at code qr refunded refunded_at checked_in_at own" },
	[TMPL_DOOR] = { "door.html", /* page_door.c */
	    "choose performances pid concert_title venue date time today sold "
	    "checked_in checked door door_url door_error answer admitted verdict "
	    "message seat detail typed" },
	[TMPL_ADMIN] = { "admin.html", /* page_admin.c */
	    "as_of zone any concerts id concert_title artist venue waiting "
	    "active capacity per_minute longest called serving window_minutes "
	    "performances pid date time "
	    "state seats sold held free gross checked_in refunded chart "
	    "can_cancel" },
	[TMPL_ADMIN_BUYER] = { "admin_buyer.html", /* page_admin.c */
	    "email not_found found buyer_email user_id since balance "
	    "any_tickets any_holds tickets holds concert_title date time "
	    "section row number price at code ledger entry when kind amount "
	    "balance_after zone refund_href used_at door any_refunded "
	    "refunded" },
	[TMPL_CANCEL] = { "cancel.html", /* page_cancel.c */
	    "hold_id concert_title venue date time section row number price "
	    "cancel_until" },
	[TMPL_LEAVE] = { "leave.html", /* page_queue.c */
	    "concert_id concert_title any_unpaid unpaid_count unpaid "
	    "href date time section row number price until" },
	[TMPL_ADMIN_REFUND] = { "admin_refund.html", /* page_admin_refund.c */
	    "typed error found code grouped email concert_title venue date "
	    "time section row number price paid_at refunded_at used_at "
	    "can_refund cancelled zone" },
	[TMPL_ADMIN_CANCEL] = { "admin_cancel.html", /* page_admin_cancel.c */
	    "pid concert_title date time sold gross held refunded error "
	    "cancelled_at unfinished over can_cancel" },
};

/* A dictionary's template when it takes any key (tdict_new_unchecked). */
#define UNCHECKED TMPL__MAX

/* Whether key (len bytes) is a word of the space-separated list. */
static int
listed(const char *list, const char *key, size_t len)
{
	while (*list != '\0') {
		size_t n = strcspn(list, " ");

		if (n == len && memcmp(list, key, len) == 0)
			return 1;
		list += n;
		list += strspn(list, " ");
	}
	return 0;
}

/* Whether template t may use key: its own keys or the layout's. */
static int
declares(enum tmpl t, const char *key, size_t len)
{
	return listed(defs[t].keys, key, len) || listed(LAYOUT_KEYS, key, len);
}

const char *
tmpl_keys(enum tmpl id)
{
	assert(id < TMPL__MAX);
	return defs[id].keys;
}

enum node_kind { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL };

struct node {
	enum node_kind kind;
	const char *text; /* N_TEXT: the text; otherwise the name */
	size_t len;
	int partial;      /* N_PARTIAL: enum tmpl */
	struct node *child, *next;
};

struct tmpl_set {
	struct arena arena;
	struct langs langs;
	struct node *root[LANG_MAX][TMPL__MAX]; /* each language's own tree */
};

enum tval_kind { TV_STR, TV_HTML, TV_BOOL, TV_LIST };

struct tval {
	const char *key;
	enum tval_kind kind;
	const char *s;
	size_t len;
	int b;
	struct tdict *first, *last; /* TV_LIST items */
	struct tval *next;
};

struct tdict {
	struct arena *arena;
	int tmpl;           /* enum tmpl whose keys it takes, or UNCHECKED */
	struct tval *head;
	struct tdict *next; /* the next item of the list holding this one */
};

static int partials_too_deep(const struct tmpl_set *, int, const struct node *,
    int);

/* ---- compiling ---- */

struct parser {
	struct arena *arena;
	const char *name, *src, *p;
	int check;     /* check keys against the declaration of id */
	enum tmpl id;
	char *err;     /* TMPL_ERR_MAX bytes */
};

static int
line_of(const struct parser *ps, const char *at)
{
	int line = 1;

	for (const char *q = ps->src; q < at; q++)
		line += *q == '\n';
	return line;
}

static struct node *
new_node(struct parser *ps, enum node_kind k, const char *text, size_t len)
{
	struct node *n = arena_alloc(ps->arena, sizeof *n);

	n->kind = k;
	n->text = arena_strndup(ps->arena, text, len);
	n->len = len;
	return n;
}

static int
valid_name(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_'))
			return 0;
	return 1;
}

static int
partial_index(const char *name, size_t len)
{
	for (int i = 0; i < TMPL__MAX; i++) {
		const char *f = defs[i].file;
		size_t flen = strcspn(f, ".");

		if (flen == len && memcmp(f, name, len) == 0)
			return i;
	}
	return -1;
}

/* A partial renders with the including template's values: each key the
 * partial may use must be one the includer declares too. */
static int
partial_keys_declared(struct parser *ps, int partial, int line)
{
	const char *k = defs[partial].keys;

	while (*k != '\0') {
		size_t n = strcspn(k, " ");

		if (!declares(ps->id, k, n)) {
			snprintf(ps->err, TMPL_ERR_MAX, "%s:%d: {{>%.*s}} uses key "
			    "'%.*s', which %s does not declare (cgi-bin/tmpl.c)",
			    ps->name, line, (int)strcspn(defs[partial].file, "."),
			    defs[partial].file, (int)n, k, defs[ps->id].file);
			return 0;
		}
		k += n;
		k += strspn(k, " ");
	}
	return 1;
}

/* Parses until {{/closing}} (or the end when closing is NULL). */
static struct node *
parse_list(struct parser *ps, const char *closing, size_t closing_len, int *ok)
{
	struct node *head = NULL, **tail = &head;

	*ok = 1;
	while (*ps->p != '\0') {
		const char *open = strstr(ps->p, "{{"), *close, *name;
		char sigil = 0;
		size_t nlen;

		if (open == NULL)
			open = ps->p + strlen(ps->p);
		if (open > ps->p) {
			*tail = new_node(ps, N_TEXT, ps->p, (size_t)(open - ps->p));
			tail = &(*tail)->next;
		}
		if (*open == '\0') {
			ps->p = open;
			break;
		}
		if ((close = strstr(open + 2, "}}")) == NULL) {
			snprintf(ps->err, TMPL_ERR_MAX, "%s:%d: unclosed {{",
			    ps->name, line_of(ps, open));
			*ok = 0;
			return NULL;
		}
		name = open + 2;
		if (strchr("#^/>!", *name) != NULL && *name != '\0')
			sigil = *name++;
		while (*name == ' ')
			name++;
		nlen = (size_t)(close - name);
		while (nlen > 0 && name[nlen - 1] == ' ')
			nlen--;
		ps->p = close + 2;
		if (sigil == '!')
			continue;
		if (!valid_name(name, nlen)) {
			snprintf(ps->err, TMPL_ERR_MAX, "%s:%d: bad tag name '%.*s' "
			    "(only a-z, 0-9 and _; there is no unescaped output)",
			    ps->name, line_of(ps, open), (int)nlen, name);
			*ok = 0;
			return NULL;
		}
		if (ps->check && sigil != '/' && sigil != '>' &&
		    !declares(ps->id, name, nlen)) {
			snprintf(ps->err, TMPL_ERR_MAX, "%s:%d: unknown key '%.*s': "
			    "%s may use only the keys its row in cgi-bin/tmpl.c "
			    "declares (those its page sets) and the layout's",
			    ps->name, line_of(ps, open), (int)nlen, name,
			    defs[ps->id].file);
			*ok = 0;
			return NULL;
		}
		if (sigil == '/') {
			if (closing == NULL || nlen != closing_len ||
			    memcmp(name, closing, nlen) != 0) {
				snprintf(ps->err, TMPL_ERR_MAX, "%s:%d: {{/%.*s}} closes "
				    "nothing open", ps->name, line_of(ps, open),
				    (int)nlen, name);
				*ok = 0;
				return NULL;
			}
			return head;
		}
		if (sigil == '#' || sigil == '^') {
			struct node *n = new_node(ps, sigil == '#' ? N_SECTION :
			    N_INVERTED, name, nlen);

			n->child = parse_list(ps, n->text, nlen, ok);
			if (!*ok)
				return NULL;
			*tail = n;
		} else if (sigil == '>') {
			struct node *n = new_node(ps, N_PARTIAL, name, nlen);

			if ((n->partial = partial_index(name, nlen)) < 0) {
				snprintf(ps->err, TMPL_ERR_MAX, "%s:%d: no template "
				    "'%.*s'", ps->name, line_of(ps, open), (int)nlen, name);
				*ok = 0;
				return NULL;
			}
			if (ps->check && !partial_keys_declared(ps, n->partial,
			    line_of(ps, open))) {
				*ok = 0;
				return NULL;
			}
			*tail = n;
		} else {
			*tail = new_node(ps, N_VAR, name, nlen);
		}
		tail = &(*tail)->next;
	}
	if (closing != NULL) {
		snprintf(ps->err, TMPL_ERR_MAX, "%s: {{#%.*s}} is never closed",
		    ps->name, (int)closing_len, closing);
		*ok = 0;
		return NULL;
	}
	return head;
}

static int
compile(struct tmpl_set *set, int lang, enum tmpl id, const char *name,
    const char *text, int check, char *err)
{
	struct parser ps = { &set->arena, name, text, text, check, id, err };
	int ok;

	assert(id < TMPL__MAX && lang >= 0 && lang < LANG_MAX);
	set->root[lang][id] = parse_list(&ps, NULL, 0, &ok);
	return ok;
}

/* ---- translating ---- */

/* The tags ({{…}}) of s, in order, as one string: a translation must use
 * exactly the tags of its msgid (a key missing would drop a value, an
 * extra one could show what the sentence never meant to). Order may
 * differ: sorted. */
static char *
tags_of(const char *s)
{
	const char *tags[64];
	size_t lens[64];
	int n = 0;
	struct buf b = BUF_INIT;

	while ((s = strstr(s, "{{")) != NULL && n < 64) {
		const char *e = strstr(s, "}}");

		if (e == NULL)
			break;
		tags[n] = s;
		lens[n++] = (size_t)(e + 2 - s);
		s = e + 2;
	}
	for (int i = 1; i < n; i++) /* insertion sort: a handful of tags */
		for (int j = i; j > 0; j--) {
			size_t m = lens[j] < lens[j - 1] ? lens[j] : lens[j - 1];
			int c = memcmp(tags[j - 1], tags[j], m);

			if (c < 0 || (c == 0 && lens[j - 1] <= lens[j]))
				break;
			const char *t = tags[j]; tags[j] = tags[j - 1]; tags[j - 1] = t;
			size_t l = lens[j]; lens[j] = lens[j - 1]; lens[j - 1] = l;
		}
	for (int i = 0; i < n; i++)
		buf_put(&b, tags[i], lens[i]);
	buf_cstr(&b);
	return b.data;
}

/*
 * The text of a template in language lang: each {{_}}msgid{{/_}} replaced
 * by its translation (the msgid itself in English, or where the catalog
 * has none; the no-translation test keeps that from shipping). A
 * translation is template text and compiles with the rest, so its keys
 * are checked like the file's own. NULL with err when a marker is not
 * closed or a translation's tags differ from its msgid's.
 */
#define T_OPEN "{{_}}"
#define T_CLOSE "{{/_}}"

static char *
translate(const struct langs *ls, int lang, const char *path,
    const char *text, char *err)
{
	struct buf b = BUF_INIT;
	const char *p = text, *o;

	while ((o = strstr(p, T_OPEN)) != NULL) {
		const char *id = o + strlen(T_OPEN), *c = strstr(id, T_CLOSE), *t;
		const char *nested = strstr(id, T_OPEN);
		char *msgid, *a, *z;
		int line = 1;

		for (const char *q = text; q < o; q++)
			line += *q == '\n';
		if (c == NULL || (nested != NULL && nested < c)) {
			snprintf(err, TMPL_ERR_MAX, "%.300s:%d: " T_OPEN " is not closed "
			    "by " T_CLOSE, path, line);
			buf_free(&b);
			return NULL;
		}
		msgid = strndup(id, (size_t)(c - id));
		t = langs_tr(ls, lang, NULL, msgid);
		a = tags_of(msgid);
		z = tags_of(t);
		if (strcmp(a, z) != 0) {
			snprintf(err, TMPL_ERR_MAX, "%.150s:%d: the %s translation of "
			    "\"%.80s\" uses the tags %.100s, its msgid %.100s",
			    path, line, ls->l[lang].code, msgid, *z ? z : "(none)",
			    *a ? a : "(none)");
			free(a), free(z), free(msgid);
			buf_free(&b);
			return NULL;
		}
		buf_put(&b, p, (size_t)(o - p));
		buf_puts(&b, t);
		free(a), free(z), free(msgid);
		p = c + strlen(T_CLOSE);
	}
	buf_puts(&b, p);
	buf_cstr(&b);
	return b.data;
}

struct tmpl_set *
tmpl_load_one(enum tmpl id, const char *name, const char *text,
    char err[TMPL_ERR_MAX])
{
	struct tmpl_set *set = xmalloc(sizeof *set);

	char *t;
	int ok;

	memset(set, 0, sizeof *set);
	err[0] = '\0';
	langs_load(&set->langs, NULL, err); /* English alone: markers dropped */
	t = translate(&set->langs, LANG_SOURCE, name, text, err);
	ok = t != NULL && compile(set, LANG_SOURCE, id, name, t, 0, err);
	free(t);
	if (!ok) {
		tmpl_free(set);
		return NULL;
	}
	if (partials_too_deep(set, LANG_SOURCE, set->root[LANG_SOURCE][id], 0)) {
		snprintf(err, TMPL_ERR_MAX, "%s: partials nest deeper than %d or "
		    "include themselves", name, TMPL_DEPTH);
		tmpl_free(set);
		return NULL;
	}
	return set;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(&b, chunk, n);
	fclose(f);
	buf_cstr(&b);
	return b.data;
}

struct tmpl_set *
tmpl_load(const char *dir, const char *catalogs, char err[TMPL_ERR_MAX])
{
	struct tmpl_set *set = xmalloc(sizeof *set);
	char merr[MO_ERR_MAX];

	memset(set, 0, sizeof *set);
	err[0] = '\0';
	if (langs_load(&set->langs, catalogs, merr) != 0) {
		snprintf(err, TMPL_ERR_MAX, "%s", merr);
		tmpl_free(set);
		return NULL;
	}
	for (int i = 0; i < TMPL__MAX; i++) {
		char path[4096];
		char *text;

		snprintf(path, sizeof path, "%s/%s", dir, defs[i].file);
		if ((text = slurp(path)) == NULL) {
			snprintf(err, TMPL_ERR_MAX, "cannot read template %.400s: %s",
			    path, strerror(errno));
			tmpl_free(set);
			return NULL;
		}
		for (int l = 0; l < set->langs.n; l++) {
			char *t = translate(&set->langs, l, path, text, err);
			int ok = t != NULL &&
			    compile(set, l, (enum tmpl)i, path, t, 1, err);

			free(t);
			if (!ok) {
				free(text);
				tmpl_free(set);
				return NULL;
			}
		}
		free(text);
	}
	for (int l = 0; l < set->langs.n; l++)
	for (int i = 0; i < TMPL__MAX; i++) {
		if (partials_too_deep(set, l, set->root[l][i], 0)) {
			snprintf(err, TMPL_ERR_MAX, "%.300s/%s: partials nest deeper than "
			    "%d or include themselves", dir, defs[i].file, TMPL_DEPTH);
			tmpl_free(set);
			return NULL;
		}
	}
	return set;
}

/* Whether the tree n (its partials included) names key. */
static int
node_uses(const struct tmpl_set *set, const struct node *n, const char *key,
    int depth)
{
	for (; n != NULL && depth <= TMPL_DEPTH; n = n->next) {
		if (n->kind == N_PARTIAL) {
			if (node_uses(set, set->root[LANG_SOURCE][n->partial], key,
			    depth + 1))
				return 1;
		} else if (n->kind != N_TEXT && strcmp(n->text, key) == 0) {
			return 1;
		}
		if (node_uses(set, n->child, key, depth))
			return 1;
	}
	return 0;
}

int
tmpl_uses(const struct tmpl_set *set, enum tmpl id, const char *key)
{
	assert(id < TMPL__MAX);
	return node_uses(set, set->root[LANG_SOURCE][id], key, 0);
}

/* Whether the partials reachable from n nest deeper than TMPL_DEPTH (which
 * includes a template that includes itself): refused at load, never a
 * stack overflow at render time. */
static int
partials_too_deep(const struct tmpl_set *set, int lang, const struct node *n,
    int depth)
{
	if (depth > TMPL_DEPTH)
		return 1;
	for (; n != NULL; n = n->next) {
		if (n->kind == N_PARTIAL && partials_too_deep(set, lang,
		    set->root[lang][n->partial], depth + 1))
			return 1;
		if (n->child != NULL && partials_too_deep(set, lang, n->child, depth))
			return 1;
	}
	return 0;
}

void
tmpl_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	langs_free(&set->langs);
	arena_free(&set->arena);
	free(set);
}

/* ---- rendering ---- */

struct ctx {
	const struct tdict *stack[TMPL_DEPTH];
	int depth;
	int lang;
};

static const struct tval *
lookup(const struct ctx *c, const char *key)
{
	/* A page looks up a few hundred names in lists of tens: the first
	 * byte spares most of the calls to strcmp. */
	for (int i = c->depth - 1; i >= 0; i--)
		for (const struct tval *v = c->stack[i]->head; v; v = v->next)
			if (v->key[0] == key[0] && strcmp(v->key, key) == 0)
				return v;
	return NULL;
}

static int
truthy(const struct tval *v)
{
	if (v == NULL)
		return 0;
	switch (v->kind) {
	case TV_STR:
	case TV_HTML: return v->len > 0;
	case TV_BOOL: return v->b;
	case TV_LIST: return v->first != NULL;
	}
	return 0;
}

static void render(const struct tmpl_set *, const struct node *, struct ctx *,
    struct buf *);

static void
render_section(const struct tmpl_set *set, const struct node *n,
    struct ctx *c, struct buf *out)
{
	const struct tval *v = lookup(c, n->text);

	if (!truthy(v))
		return;
	if (v->kind != TV_LIST) {
		render(set, n->child, c, out);
		return;
	}
	if (c->depth == TMPL_DEPTH)
		abort(); /* our templates nest far less: a bug */
	for (const struct tdict *item = v->first; item; item = item->next) {
		c->stack[c->depth++] = item;
		render(set, n->child, c, out);
		c->depth--;
	}
}

static void
render(const struct tmpl_set *set, const struct node *n, struct ctx *c,
    struct buf *out)
{
	for (; n != NULL; n = n->next) {
		const struct tval *v;

		switch (n->kind) {
		case N_TEXT:
			buf_put(out, n->text, n->len);
			break;
		case N_VAR:
			if ((v = lookup(c, n->text)) == NULL)
				break;
			if (v->kind == TV_HTML)
				buf_put(out, v->s, v->len);
			else if (v->kind == TV_STR)
				html_putn(out, v->s, v->len);
			break;
		case N_SECTION:
			render_section(set, n, c, out);
			break;
		case N_INVERTED:
			if (!truthy(lookup(c, n->text)))
				render(set, n->child, c, out);
			break;
		case N_PARTIAL:
			render(set, set->root[c->lang][n->partial], c, out);
			break;
		}
	}
}

void
tmpl_render(const struct tmpl_set *set, int lang, enum tmpl id,
    const struct tdict *d, struct buf *out)
{
	struct ctx c = { { d }, 1, lang };

	assert(d->tmpl == (int)id || d->tmpl == UNCHECKED);
	assert(lang >= 0 && lang < set->langs.n);
	render(set, set->root[lang][id], &c, out);
}

const struct langs *
tmpl_langs(const struct tmpl_set *set)
{
	return &set->langs;
}

/* ---- values ---- */

static struct tdict *
dict_new(struct arena *a, int t)
{
	struct tdict *d = arena_alloc(a, sizeof *d);

	d->arena = a;
	d->tmpl = t;
	return d;
}

struct tdict *
tdict_new(struct arena *a, enum tmpl t)
{
	assert(t < TMPL__MAX);
	return dict_new(a, (int)t);
}

struct tdict *
tdict_new_unchecked(struct arena *a)
{
	return dict_new(a, UNCHECKED);
}

#ifndef NDEBUG
/* Keys found declared, by the address of their literal and the template:
 * a page's keys are a few dozen literals set on every request, and reading
 * the lists each time would cost a page several microseconds. */
#define SEEN_SLOTS 1024
#define SEEN_PROBES 8

static struct {
	const char *key;
	int tmpl;
} seen[SEEN_SLOTS];

static size_t
seen_slot(const char *key, int t)
{
	return (((uintptr_t)key >> 3) * 31u + (unsigned)t) % SEEN_SLOTS;
}

/* Whether template t declares key, looked up in seen first. */
static int
declares_cached(int t, const char *key)
{
	size_t h = seen_slot(key, t);

	for (size_t i = 0; i < SEEN_PROBES; i++) {
		size_t k = (h + i) % SEEN_SLOTS;

		if (seen[k].key == key && seen[k].tmpl == t)
			return 1;
	}
	if (!declares((enum tmpl)t, key, strlen(key)))
		return 0;
	for (size_t i = 0; i < SEEN_PROBES; i++) {
		size_t k = (h + i) % SEEN_SLOTS;

		if (seen[k].key == NULL) {
			seen[k].key = key;
			seen[k].tmpl = t;
			break;
		}
	}
	return 1;
}
#endif

/* A page setting a key its template does not declare: the value would
 * show nowhere (a misspelt key, or one the template dropped). A bug in
 * the page, caught in every test that renders it. */
static void
check_declared(const struct tdict *d, const char *key)
{
#ifndef NDEBUG
	if (d->tmpl != UNCHECKED && !declares_cached(d->tmpl, key)) {
		log_msg(NULL, LOG_ERROR, "tdict: the page sets key '%s', which "
		    "%s does not declare (cgi-bin/tmpl.c)", key, defs[d->tmpl].file);
		abort();
	}
#else
	(void)d, (void)key;
#endif
}

static struct tval *
put(struct tdict *d, const char *key, enum tval_kind kind)
{
	struct tval *v;

	check_declared(d, key);
	v = arena_alloc(d->arena, sizeof *v);

	v->key = key;
	v->kind = kind;
	v->next = d->head;
	d->head = v;
	return v;
}

void
tdict_str(struct tdict *d, const char *key, const char *value)
{
	struct tval *v = put(d, key, TV_STR);

	v->s = value ? arena_strdup(d->arena, value) : "";
	v->len = strlen(v->s);
}

void
tdict_strf(struct tdict *d, const char *key, const char *fmt, ...)
{
	struct tval *v = put(d, key, TV_STR);
	va_list ap;

	va_start(ap, fmt);
	v->s = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	v->len = strlen(v->s);
}

void
tdict_int(struct tdict *d, const char *key, int64_t n)
{
	tdict_strf(d, key, "%lld", (long long)n);
}

void
tdict_bool(struct tdict *d, const char *key, int b)
{
	put(d, key, TV_BOOL)->b = b;
}

void
tdict_html(struct tdict *d, const char *key, const char *html, size_t len)
{
	struct tval *v = put(d, key, TV_HTML);

	v->s = arena_strndup(d->arena, html, len);
	v->len = len;
}

void
tdict_html_ref(struct tdict *d, const char *key, const char *html, size_t len)
{
	struct tval *v = put(d, key, TV_HTML);

	v->s = html;
	v->len = len;
}

struct tdict *
tdict_add(struct tdict *d, const char *key)
{
	struct tval *v = NULL;
	struct tdict *item = dict_new(d->arena, d->tmpl);

	for (struct tval *w = d->head; w; w = w->next)
		if (w->kind == TV_LIST && strcmp(w->key, key) == 0)
			v = w;
	if (v == NULL)
		v = put(d, key, TV_LIST);
	if (v->last)
		v->last->next = item;
	else
		v->first = item;
	v->last = item;
	return item;
}
