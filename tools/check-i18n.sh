#!/bin/sh
# check-i18n.sh — fails when a message a page shows has no translation:
# the PO template made afresh from the sources must be the committed
# po/boxoffice.pot (a new or changed message runs `make pot`), and every
# catalog po/LANG.po must translate each of its msgids, not fuzzy
# (msgcmp), with formats that match (msgfmt --check); and nginx's own
# error pages (static/errors/*.html) must be what tools/error-pages.mjs
# makes of templates/errors/ and the catalogs. Run by make check.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build/po
tools/pot.sh build/po/boxoffice.pot
status=0
# The messages, not where they sit: a line moved elsewhere in a source
# (any merge) leaves the references (#:) stale and fails nothing.
grep -v '^#' po/boxoffice.pot >build/po/committed.msgs
grep -v '^#' build/po/boxoffice.pot >build/po/sources.msgs
if ! diff -u build/po/committed.msgs build/po/sources.msgs >build/po/pot.diff; then
	echo "i18n: po/boxoffice.pot is not what the sources say (run make pot," \
	    "then translate what it marks in po/*.po):" >&2
	grep '^[-+]msgid' build/po/pot.diff | head -20 >&2
	status=1
fi
for po in po/*.po; do
	[ -e "$po" ] || continue
	if ! msgcmp "$po" build/po/boxoffice.pot; then
		echo "i18n: $po lacks a translation (above: missing, untranslated" \
		    "or fuzzy)" >&2
		status=1
	fi
	printf '%s: ' "$po"
	msgfmt --check --statistics -o /dev/null "$po" 2>&1 || status=1
done
# nginx's own error pages, made from templates/errors/ and the catalogs.
rm -rf build/po/errors
if ! node tools/error-pages.mjs build/po/errors; then
	status=1
elif ! diff -r static/errors build/po/errors -x '*.json' >build/po/errors.diff; then
	echo "i18n: static/errors/*.html are not what templates/errors/ and po/*.po" \
	    "say (run make error-pages):" >&2
	head -20 build/po/errors.diff >&2
	status=1
fi
[ "$status" = 0 ] && echo "i18n: every message has a translation in every catalog"
exit $status
