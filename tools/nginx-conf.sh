#!/bin/sh
# nginx-conf.sh VARDIR PORT SOCKET [LOGIN_RATE] [EXTRA_FILE]
# Prints an nginx config serving this checkout on 127.0.0.1:PORT, from
# nginx/boxoffice.conf with its paths replaced. LOGIN_RATE (default 30r/m)
# lets the tests sign up many buyers from one address. EXTRA_FILE is
# pasted into the http block (the benchmark adds its baseline there).
# REAL_IP_FROM=ADDR in the environment turns on the site's commented
# real_ip sample with ADDR as the trusted proxy (the tests use 127.0.0.1 to
# prove the sample: a client address taken from X-Forwarded-For only when
# the connection comes from ADDR). LOGIN_BURST=N replaces the site's
# burst of 20 (the tests sign up a hundred buyers in one millisecond).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
var=$1 port=$2 sock=$3 rate=${4:-30r/m} extra=${5:-}
mkdir -p "$var/tmp" "$var/cache/state"
user=""
[ "$(id -u)" = 0 ] && user="user root root;"
workers=${NGINX_WORKERS:-1}
site=$(sed -e "s|unix:/run/boxoffice/boxoffice.sock|unix:$sock|" \
    -e "s|/usr/local/share/boxoffice/static/|$root/static/|" \
    -e "s|listen 80;|listen 127.0.0.1:$port;|" \
    -e "s|server_name tickets.example.com;|server_name localhost;|" \
    -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
    -e "s|/var/cache/boxoffice-nginx |$var/cache/state |" \
    -e "s|include /usr/local/share/boxoffice/nginx/queue-state.conf;|include $root/nginx/queue-state.conf;|" \
    -e "s|rate=30r/m|rate=$rate|" \
    -e "s|burst=20 |burst=${LOGIN_BURST:-20} |" "$root/nginx/boxoffice.conf")
if [ -n "${REAL_IP_FROM:-}" ]; then
    site=$(printf '%s\n' "$site" | sed \
        -e "s|#set_real_ip_from 192.0.2.10;|set_real_ip_from $REAL_IP_FROM;|" \
        -e "s|#real_ip_header |real_ip_header |" \
        -e "s|#real_ip_recursive |real_ip_recursive |")
fi
extra_text=""
[ -n "$extra" ] && extra_text=$(cat "$extra")
# The site and the extra text go through the environment, not awk -v:
# -v would turn the backslashes of the site's regexes (\x00) into bytes.
SITE=$site EXTRA=$extra_text awk -v user="$user" -v var="$var" \
    -v workers="$workers" '
    { gsub(/@USER@/, user); gsub(/@VAR@/, var); gsub(/@NGINX_WORKERS@/, workers) }
    /^@SITE@$/ { print ENVIRON["SITE"]; next }
    /^@EXTRA@$/ { print ENVIRON["EXTRA"]; next }
    { print }' "$root/nginx/dev.conf.in"
