#!/bin/sh
# edge-conf.sh VARDIR LISTEN_ADDR PORT PRIMARY_ADDR:PORT
# Prints an nginx config for one edge of `make scale` (tests/scale/), from
# nginx/edge.conf with its paths, port and primary replaced, inside the
# same main context as the primary's test config (nginx/dev.conf.in). The
# edge logs every request to VARDIR/access.log (time, client, method, URI,
# status, cache status) so the test can count what it served.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
var=$1 addr=$2 port=$3 primary=$4
mkdir -p "$var/tmp" "$var/cache"
user=""
[ "$(id -u)" = 0 ] && user="user root root;"
site=$(sed -e "s|proxy_cache_path /var/cache/nginx/boxoffice-edge |proxy_cache_path $var/cache |" \
    -e "s|server 192.0.2.1:80;|server $primary;|" \
    -e "s|/usr/local/share/boxoffice/static/|$root/static/|" \
    -e "s|listen 80;|listen $addr:$port;|" \
    -e "s|server_name tickets.example.com;|server_name localhost;|" "$root/nginx/edge.conf")
printf '%s\n' "$site" | grep -q "server $primary;" ||
    { echo "edge-conf.sh: nginx/edge.conf no longer has the marked line of the primary" >&2; exit 1; }
log="log_format edge_count '\$msec \$remote_addr \$request_method \$uri \$status \$upstream_cache_status'; access_log $var/access.log edge_count;"
SITE=$site LOG=$log awk -v user="$user" -v var="$var" '
    { gsub(/@USER@/, user); gsub(/@VAR@/, var); gsub(/@NGINX_WORKERS@/, "1") }
    /^ *access_log off;$/ { print "    " ENVIRON["LOG"]; next }
    /^@SITE@$/ { print ENVIRON["SITE"]; next }
    /^@EXTRA@$/ { next }
    { print }' "$root/nginx/dev.conf.in"
