#!/bin/sh
# deps.sh — installs what boxoffice needs from Debian (and playwright-core
# from npm for the browser test), or says exactly what to install.
set -eu
cd "$(dirname "$0")/.."

pkgs="build-essential pkg-config libfcgi-dev libsqlite3-dev sqlite3
libscrypt-dev libcmocka-dev libsodium-dev libjansson-dev libqrencode-dev
libunistring-dev tzdata nginx wrk chromium curl util-linux jq iso-codes
prometheus zbar-tools librsvg2-bin systemd clang libclang-rt-dev iproute2"
# tzdata: the venue's time zone (core/when.c). prometheus: promtool checks
# the /metrics writer. zbar-tools, librsvg2-bin: a scanner reads the QR
# codes in the unit tests. systemd: systemd-analyze verifies the units.
# libunistring-dev: the UTF-8 check (core/utf8.c). clang, libclang-rt-dev:
# libFuzzer for make fuzz. iproute2: ip netns, the network of make scale.
command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq $missing >/dev/null
	else
		echo "deps: missing Debian packages:$missing" >&2
		echo "deps: run: sudo apt-get install$missing" >&2
		exit 1
	fi
fi

# The browser test drives Debian's chromium with playwright-core (no
# browser download). package-lock.json pins it.
if [ ! -d node_modules/playwright-core ]; then
	echo "deps: npm ci (playwright-core)"
	npm ci --no-audit --no-fund --silent
fi
