#!/bin/sh
# pot.sh OUT — the PO template of every message a page shows, made from
# the sources with Debian's gettext tools: xgettext reads cgi-bin/ and
# core/ (tr, trn, trc, N_, NC_, page_error's message: cgi-bin/view.h,
# core/msgid.h; lang.c's mo_lookup: each catalog's name for its
# language), tools/po-templates.mjs the templates' {{_}}…{{/_}}
# markers (the pages' and templates/errors/, nginx's own pages: make
# error-pages), and msgcat joins the two. `make pot` writes po/boxoffice.pot and merges it into
# each po/LANG.po; make check fails when the committed one is stale.
set -eu
cd "$(dirname "$0")/.."
out=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xgettext --language=C --from-code=UTF-8 --no-wrap --sort-by-file \
	--add-comments=TRANSLATORS: \
	--keyword= --keyword=tr:2 --keyword=trn:2,3 --keyword=trc:2c,3 --keyword=N_ --keyword=NC_:1c,2 \
	--keyword=page_error:3 --keyword=page_error_link:3 \
	--keyword=page_outcome_say:4 --keyword=view_page:3 \
	--keyword=mo_lookup:2c,3 \
	--package-name=boxoffice --msgid-bugs-address="the box office" \
	-o "$tmp/c.pot" cgi-bin/*.c core/*.c
node tools/po-templates.mjs templates/*.html templates/errors/*.html >"$tmp/t.pot"
msgcat --no-wrap --use-first -o "$tmp/all.pot" "$tmp/c.pot" "$tmp/t.pot"
# No creation date: the file changes only when a message does.
grep -v '^"POT-Creation-Date:' "$tmp/all.pot" >"$out"
