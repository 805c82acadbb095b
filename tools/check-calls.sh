#!/bin/sh
# check-calls.sh — handlers are leaves: a function a handler file
# (cgi-bin/page_*.c, cgi-bin/api_*.c) exports is called from router.c (the
# route table) and from nowhere else but its own file. What two handlers
# share belongs in a shared file (ui_shared.c for pages, api.c for the API,
# outcome.c, view.c), never in one of them: a page that calls another page
# is how a ten-file include chain starts.
#
# It reads the symbol tables of the compiled objects (what the linker
# sees), so no comment, string or macro can hide a call. Run by
# `make calls` (part of make check) on the objects of boxoffice.fcgi:
#
#   tools/check-calls.sh build/cgi-bin/*.o
#
# Exit status 1, with one line per forbidden use, when a handler's function
# is used elsewhere; 2 when no handler object was given.
set -eu

handlers=
for obj in "$@"; do
	case ${obj##*/} in page_*.o | api_*.o) handlers="$handlers $obj" ;; esac
done
[ -n "$handlers" ] || {
	echo "usage: check-calls.sh OBJECT... (the objects of boxoffice.fcgi)" >&2
	exit 2
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "symbol file" for every function or object a handler file defines …
for obj in $handlers; do
	nm --defined-only -g "$obj" | awk -v f="${obj##*/}" 'NF == 3 { print $3, f }'
done | sort >"$tmp/defined"
# … and for every symbol any object of the program uses.
for obj in "$@"; do
	nm -u "$obj" | awk -v f="${obj##*/}" '{ print $NF, f }'
done | sort >"$tmp/used"

join "$tmp/defined" "$tmp/used" | awk '
	$3 != $2 && $3 != "router.o" {
		sub(/\.o$/, ".c", $2); sub(/\.o$/, ".c", $3)
		printf "check-calls: %s uses %s() of the handler file %s\n", $3, $1, $2
		bad = 1
	}
	END {
		if (bad)
			print "check-calls: only router.c calls a handler file; move what handlers share to a shared file (ui_shared.c, api.c)"
		exit bad
	}' >&2 || exit 1
n=$(wc -l <"$tmp/defined")
echo "check-calls: the $n functions of the$(echo $handlers | wc -w | sed 's/^/ /') handler files are called by router.c and their own file only"
