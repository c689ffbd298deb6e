#!/bin/sh
# serve.sh: the HTTP server ([output] listen) under load, beside nginx
# serving the same file in the same run (with gzip_static and a .gz made
# beforehand: nginx's gzip on the fly manages ~60 requests/s here).  feedd writes feed.xml from 60
# real corpus feeds (file:// URLs, max_entries = 110), then `feedd run`
# and a one-worker nginx (gzip and ETag on) both serve it.  wrk (2
# threads, 64 connections, 5 s each) polls /feed.xml four ways: a full
# 200, a 304 to If-None-Match, and both again with Accept-Encoding: gzip.
# Prints requests/s and p99 latency for each, and feedd/nginx.
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-$PWD/build/feedd}
SECS=${BENCH_SECS:-5}
for t in nginx wrk curl; do
	command -v $t >/dev/null 2>&1 || [ -x /usr/sbin/$t ] || {
		echo "serve.sh: $t missing (scripts/install-deps --all)"; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d /tmp/feedd-serve.XXXXXX)
chmod 755 "$tmp"
p1=$((20000 + $$ % 20000)); p2=$((p1 + 1))
fpid=
cleanup() {
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	sleep 0.2
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -p "$tmp/www" "$tmp/state"
{
	printf '[daemon]\nstate_dir = %s/state\ninterval = 30d\nlog_level = warning\n\n' "$tmp"
	printf '[output]\natom = %s/www/feed.xml\nlisten = 127.0.0.1:%d\nmax_entries = 110\n\n' "$tmp" "$p1"
	awk -F'\t' 'NR > 1 && $7 ~ /items\]/ && $6 ~ /rss20|atom10/ { print $1 }' \
	    ../shared/corpus/MANIFEST.tsv | head -60 | awk -v c="$PWD/../shared/corpus" \
	    '{ printf "[feed \"f%d\"]\nurl = file://%s/%s\n\n", NR, c, $0 }'
} >"$tmp/feedd.conf"
"$FEEDD" once -c "$tmp/feedd.conf" >/dev/null || exit 1
gzip -6 -k "$tmp/www/feed.xml"
cat >"$tmp/nginx.conf" <<NGX
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	types { application/atom+xml xml; }
	gzip_static on; gzip_vary on;
	server { listen 127.0.0.1:$p2; root $tmp/www; etag on; }
}
NGX
"$NGINX" -c "$tmp/nginx.conf" || exit 1
"$FEEDD" run -c "$tmp/feedd.conf" 2>"$tmp/run.err" &
fpid=$!
for i in $(seq 50); do
	curl -sf "http://127.0.0.1:$p1/healthz" >/dev/null && break
	sleep 0.1
done
echo "feed.xml: $(wc -c <"$tmp/www/feed.xml") bytes; wrk -t2 -c64 -d${SECS}s"
printf '%-22s %12s %10s %12s %10s %8s\n' case "feedd req/s" "p99" \
    "nginx req/s" "p99" ratio
etag() {	# $1 port, $2 extra header
	curl -s -D- -o /dev/null ${2:+-H "$2"} "http://127.0.0.1:$1/feed.xml" |
	    awk -F': ' 'tolower($1) == "etag" { sub("\r", "", $2); print $2 }'
}
run() {		# $1 port, then wrk -H arguments
	port=$1; shift
	wrk -t2 -c64 -d${SECS}s --latency "$@" "http://127.0.0.1:$port/feed.xml" |
	    awk '/Requests\/sec/ { r = $2 } $1 == "99%" { p = $2 }
	    END { printf "%s %s", r, p }'
}
for c in plain gzip; do
	ae=; [ $c = gzip ] && ae="Accept-Encoding: gzip"
	for k in 200 304; do
		set -- ${ae:+-H "$ae"}
		if [ $k = 304 ]; then
			e1=$(etag $p1 "$ae"); e2=$(etag $p2 "$ae")
			r1=$(run $p1 "$@" -H "If-None-Match: $e1")
			r2=$(run $p2 "$@" -H "If-None-Match: $e2")
		else
			r1=$(run $p1 "$@"); r2=$(run $p2 "$@")
		fi
		set -- $r1 $r2
		printf '%-22s %12s %10s %12s %10s %8s\n' "$k $c" "$1" "$2" "$3" "$4" \
		    "$(awk -v a="$1" -v b="$3" 'BEGIN { printf "%.2f", a / b }')"
	done
done
