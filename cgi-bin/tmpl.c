/*
 * tmpl.c — compiling and rendering templates (see tmpl.h).
 *
 * A template is compiled once, at worker start, into a tree of nodes;
 * rendering walks the tree with a stack of dictionaries.
 */
#include "tmpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

#define TMPL_DEPTH 16 /* nested sections and partials */

static const char *const files[TMPL__MAX] = {
	[TMPL_HEADER] = "header.html",
	[TMPL_FOOTER] = "footer.html",
	[TMPL_ERROR] = "error.html",
	[TMPL_HOME] = "home.html",
	[TMPL_CONCERT] = "concert.html",
	[TMPL_PERFORMANCE] = "performance.html",
	[TMPL_LOGIN] = "login.html",
	[TMPL_SIGNUP] = "signup.html",
	[TMPL_QUEUE] = "queue.html",
	[TMPL_HOLD] = "hold.html",
	[TMPL_WALLET] = "wallet.html",
	[TMPL_BOOKINGS] = "bookings.html",
};

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
	struct node *root[TMPL__MAX];
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
	struct tval *head;
	struct tdict *next; /* the next item of the list holding this one */
};

static int partials_too_deep(const struct tmpl_set *, const struct node *, int);

/* ---- compiling ---- */

struct parser {
	struct arena *arena;
	const char *name, *src, *p;
	char err[256];
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
		const char *f = files[i];
		size_t flen = strcspn(f, ".");

		if (flen == len && memcmp(f, name, len) == 0)
			return i;
	}
	return -1;
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
			snprintf(ps->err, sizeof ps->err, "%s:%d: unclosed {{",
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
			snprintf(ps->err, sizeof ps->err, "%s:%d: bad tag name '%.*s' "
			    "(only a-z, 0-9 and _; there is no unescaped output)",
			    ps->name, line_of(ps, open), (int)nlen, name);
			*ok = 0;
			return NULL;
		}
		if (sigil == '/') {
			if (closing == NULL || nlen != closing_len ||
			    memcmp(name, closing, nlen) != 0) {
				snprintf(ps->err, sizeof ps->err, "%s:%d: {{/%.*s}} closes "
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
				snprintf(ps->err, sizeof ps->err, "%s:%d: no template "
				    "'%.*s'", ps->name, line_of(ps, open), (int)nlen, name);
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
		snprintf(ps->err, sizeof ps->err, "%s: {{#%.*s}} is never closed",
		    ps->name, (int)closing_len, closing);
		*ok = 0;
		return NULL;
	}
	return head;
}

static int
compile(struct tmpl_set *set, enum tmpl id, const char *name, const char *text)
{
	struct parser ps = { &set->arena, name, text, text, "" };
	int ok;

	set->root[id] = parse_list(&ps, NULL, 0, &ok);
	if (!ok)
		fprintf(stderr, "boxoffice: template %s\n", ps.err);
	return ok;
}

struct tmpl_set *
tmpl_load_one(enum tmpl id, const char *name, const char *text)
{
	struct tmpl_set *set = xmalloc(sizeof *set);

	memset(set, 0, sizeof *set);
	if (!compile(set, id, name, text) ||
	    partials_too_deep(set, set->root[id], 0)) {
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
tmpl_load(const char *dir)
{
	struct tmpl_set *set = xmalloc(sizeof *set);

	memset(set, 0, sizeof *set);
	for (int i = 0; i < TMPL__MAX; i++) {
		char path[4096];
		char *text;
		int ok;

		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		if ((text = slurp(path)) == NULL) {
			fprintf(stderr, "boxoffice: cannot read template %s\n", path);
			tmpl_free(set);
			return NULL;
		}
		ok = compile(set, (enum tmpl)i, files[i], text);
		free(text);
		if (!ok) {
			tmpl_free(set);
			return NULL;
		}
	}
	for (int i = 0; i < TMPL__MAX; i++) {
		if (partials_too_deep(set, set->root[i], 0)) {
			fprintf(stderr, "boxoffice: template %s: partials nest deeper "
			    "than %d or include themselves\n", files[i], TMPL_DEPTH);
			tmpl_free(set);
			return NULL;
		}
	}
	return set;
}

/* Whether the partials reachable from n nest deeper than TMPL_DEPTH (which
 * includes a template that includes itself): refused at load, never a
 * stack overflow at render time. */
static int
partials_too_deep(const struct tmpl_set *set, const struct node *n, int depth)
{
	if (depth > TMPL_DEPTH)
		return 1;
	for (; n != NULL; n = n->next) {
		if (n->kind == N_PARTIAL &&
		    partials_too_deep(set, set->root[n->partial], depth + 1))
			return 1;
		if (n->child != NULL && partials_too_deep(set, n->child, depth))
			return 1;
	}
	return 0;
}

void
tmpl_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	arena_free(&set->arena);
	free(set);
}

/* ---- rendering ---- */

struct ctx {
	const struct tdict *stack[TMPL_DEPTH];
	int depth;
};

static const struct tval *
lookup(const struct ctx *c, const char *key)
{
	for (int i = c->depth - 1; i >= 0; i--)
		for (const struct tval *v = c->stack[i]->head; v; v = v->next)
			if (strcmp(v->key, key) == 0)
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
			render(set, set->root[n->partial], c, out);
			break;
		}
	}
}

void
tmpl_render(const struct tmpl_set *set, enum tmpl id, const struct tdict *d,
    struct buf *out)
{
	struct ctx c = { { d }, 1 };

	render(set, set->root[id], &c, out);
}

/* ---- values ---- */

struct tdict *
tdict_new(struct arena *a)
{
	struct tdict *d = arena_alloc(a, sizeof *d);

	d->arena = a;
	return d;
}

static struct tval *
put(struct tdict *d, const char *key, enum tval_kind kind)
{
	struct tval *v = arena_alloc(d->arena, sizeof *v);

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
	struct tdict *item = tdict_new(d->arena);

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
