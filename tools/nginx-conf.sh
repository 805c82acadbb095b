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
# REAL_IP_FROM may list several addresses, space-separated (make scale:
# its three edges). LISTEN_HOST=ADDR listens there instead of 127.0.0.1
# (0.0.0.0: every address of a network namespace). ACCESS_LOG=PATH logs
# every request there (make scale counts what reaches the primary): time,
# client as the site sees it, the connection's own address, method, URI,
# status, cache status.
# PRIVATE_LOG=PATH writes the site's own access log (the production
# format, without query strings) there; it is off otherwise, and then an
# ACCESS_LOG at the http level is the one that counts.
# METRICS_ALLOW=ADDR turns on the site's commented sample for /metrics
# with ADDR as the Prometheus server, in place of the loopback addresses
# (the tests use it to see a client not on the list refused).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
var=$1 port=$2 sock=$3 rate=${4:-30r/m} extra=${5:-}
mkdir -p "$var/tmp" "$var/cache/state"
user=""
[ "$(id -u)" = 0 ] && user="user root root;"
workers=${NGINX_WORKERS:-1}
# The site's own access log: to PRIVATE_LOG, or left out (a server-level
# access_log would hide the http-level ACCESS_LOG below).
private_log="/access_log \/var\/log\/nginx\/boxoffice-access.log boxoffice_private;/d"
[ -n "${PRIVATE_LOG:-}" ] && private_log="s|access_log /var/log/nginx/boxoffice-access.log boxoffice_private;|access_log $PRIVATE_LOG boxoffice_private;|"
site=$(sed -e "s|unix:/run/boxoffice/boxoffice.sock|unix:$sock|" \
    -e "s|/usr/local/share/boxoffice/static/|$root/static/|" \
    -e "s|listen 80;|listen ${LISTEN_HOST:-127.0.0.1}:$port;|" \
    -e "s|server_name tickets.example.com;|server_name localhost;|" \
    -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
    -e "s|/var/cache/boxoffice-nginx |$var/cache/state |" \
    -e "s|include /usr/local/share/boxoffice/nginx/queue-state.conf;|include $root/nginx/queue-state.conf;|" \
    -e "s|rate=30r/m|rate=$rate|" \
    -e "s|burst=20 |burst=${LOGIN_BURST:-20} |" \
    -e "$private_log" "$root/nginx/boxoffice.conf")
if [ -n "${REAL_IP_FROM:-}" ]; then
    from=""
    for a in $REAL_IP_FROM; do from="${from}set_real_ip_from $a; "; done
    site=$(printf '%s\n' "$site" | sed \
        -e "s|#set_real_ip_from 192.0.2.10;|$from|" \
        -e "s|#real_ip_header |real_ip_header |" \
        -e "s|#real_ip_recursive |real_ip_recursive |")
fi
if [ -n "${METRICS_ALLOW:-}" ]; then
    site=$(printf '%s\n' "$site" | sed \
        -e "s|#allow 192.0.2.20; |allow $METRICS_ALLOW; |" \
        -e "/^ *allow 127.0.0.1;\$/d" -e "/^ *allow ::1;\$/d")
fi
extra_text=""
[ -n "$extra" ] && extra_text=$(cat "$extra")
# The site and the extra text go through the environment, not awk -v:
# -v would turn the backslashes of the site's regexes (\x00) into bytes.
log="access_log off;"
[ -n "${ACCESS_LOG:-}" ] && log="log_format boxoffice_count '\$msec \$remote_addr \$realip_remote_addr \$request_method \$uri \$status \$upstream_cache_status'; access_log $ACCESS_LOG boxoffice_count;"
SITE=$site EXTRA=$extra_text LOG=$log awk -v user="$user" -v var="$var" \
    -v workers="$workers" '
    { gsub(/@USER@/, user); gsub(/@VAR@/, var); gsub(/@NGINX_WORKERS@/, workers) }
    /^ *access_log off;$/ { print "    " ENVIRON["LOG"]; next }
    /^@SITE@$/ { print ENVIRON["SITE"]; next }
    /^@EXTRA@$/ { print ENVIRON["EXTRA"]; next }
    { print }' "$root/nginx/dev.conf.in"
