#!/bin/sh
# daemon.sh: feedd once, cold (everything new) and warm (everything 304),
# on 1,000 generated feeds served by a private nginx on 127.0.0.1-4,
# beside newsboat -x reload and curl --parallel (the fetch floor) on the
# same URLs; then 10,000 feeds for feedd and curl to show scaling.
# Prints wall s, CPU s (user+sys), peak RSS MB, and the ratios.
#
# All feeds sit on one machine, so per_host would throttle feedd to 2
# transfers; the bench serves them under 4 loopback names (127.0.0.1-4)
# and sets per_host = 4, concurrency = 16 (curl's --parallel-max 16).
# BENCH_SMALL=N uses N feeds instead of 1,000 (and 10 x N for scaling).
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-$PWD/build/feedd}
N1=${BENCH_SMALL:-1000}
N2=$((N1 * 10))
for t in nginx /usr/bin/time curl; do
	command -v $t >/dev/null 2>&1 || [ -x "$t" ] || [ -x /usr/sbin/$t ] || {
		echo "daemon.sh: $t missing (scripts/install-deps --all)"; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d /tmp/feedd-bench.XXXXXX)
chmod 755 "$tmp"
port=$((20000 + $$ % 20000))
cleanup() {
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	sleep 0.2
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "generating $N1 + $N2 feeds ..."
sh bench/genfeeds "$tmp/www/a" "$N1" || exit 1
sh bench/genfeeds "$tmp/www/b" "$N2" || exit 1
chmod -R a+rX "$tmp/www"

cat > "$tmp/nginx.conf" <<NGX
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 8192; }
http {
	access_log off;
	sendfile on;
	keepalive_requests 1000000;
	if_modified_since before;
	types { application/rss+xml xml; }
	server {
		listen 127.0.0.1:$port; listen 127.0.0.2:$port;
		listen 127.0.0.3:$port; listen 127.0.0.4:$port;
		root $tmp/www;
	}
}
NGX
mkdir -p "$tmp/logs"
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" || {
	echo "daemon.sh: nginx did not start"; exit 1; }
sleep 0.3

url() {	# set index -> URL on one of 4 host names
	echo "http://127.0.0.$(($2 % 4 + 1)):$port/$1/feed-$2.xml"
}

make_inputs() {	# set count
	s=$1 n=$2 d=$tmp/$s
	mkdir -p "$d/home"
	{
		printf '[daemon]\nstate_dir = state\ninterval = 30m\n'
		printf 'concurrency = 16\nper_host = 4\ntimeout = 30s\n'
		printf 'log_level = warning\n\n[output]\natom = feed.xml\n'
		printf 'max_entries = 200\n\n[alerts]\nlog = alerts.log\n\n'
		printf '[alert "agents"]\nmatch = agent AND robotics\n\n'
	} > "$d/feedd.conf"
	: > "$d/urls"
	: > "$d/curl.cold"
	i=0
	while [ $i -lt "$n" ]; do
		u=$(url "$s" $i)
		printf '[feed "feed %d"]\nurl = %s\n\n' $i "$u" >> "$d/feedd.conf"
		echo "$u" >> "$d/urls"
		printf 'url = "%s"\noutput = "/dev/null"\n' "$u" >> "$d/curl.cold"
		i=$((i + 1))
	done
}
# warm curl: the same requests, conditional (nginx: if_modified_since
# before).  One -H on the command line: `header` lines in a -K file
# accumulate over every URL that follows.
IMS="If-Modified-Since: $(date -u '+%a, %d %b %Y %H:%M:%S GMT')"

# measure LABEL CMD...: appends "LABEL wall cpu rss_mb" to $tmp/results.
# Wall from date(1) in nanoseconds: /usr/bin/time's centiseconds round
# curl's all-304 run (a few hundredths) to 0 or double it.
measure() {
	label=$1; shift
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	t1=$(date +%s%N)
	set -- $(tail -1 "$tmp/time")
	wall=$(echo "$t0 $t1" | awk '{printf "%.3f", ($2 - $1) / 1e9}')
	cpu=$(echo "$1 $2" | awk '{printf "%.2f", $1 + $2}')
	echo "$label $wall $cpu $(($3 / 1024))" >> "$tmp/results"
	case $label in
	curl*)	note=$(sort "$tmp/out" | uniq -c | awk '{printf "%s HTTP %s; ", $1, $2}') ;;
	*)	note=$(head -c 120 "$tmp/out" | tr '\n' ' ') ;;
	esac
	printf '%-18s wall %7ss  cpu %6ss  rss %4s MB  (exit %d) %s\n' \
	    "$label" "$wall" "$cpu" "$(($3 / 1024))" "$rc" "$note"
}
# curl: every answer's status on stdout, so a run that did not get the
# 200s (cold) or 304s (warm) it should shows it.
CURL="curl -s -w %{http_code}\n --parallel --parallel-max 16"

: > "$tmp/results"
make_inputs a "$N1"
make_inputs b "$N2"
cd "$tmp/a" || exit 1
echo "== $N1 feeds"
measure curl-cold $CURL -K curl.cold
measure curl-warm $CURL -H "$IMS" -K curl.cold
measure feedd-cold "$FEEDD" once -c feedd.conf
measure feedd-warm "$FEEDD" once -c feedd.conf
if command -v newsboat >/dev/null 2>&1; then
	: > nb.conf
	measure newsboat-cold env HOME="$tmp/a/home" newsboat -u urls -c nb.db -C nb.conf -x reload
	measure newsboat-warm env HOME="$tmp/a/home" newsboat -u urls -c nb.db -C nb.conf -x reload
else
	echo "newsboat not installed: skipped"
fi
cd "$tmp/b" || exit 1
echo "== $N2 feeds"
measure curl10-cold $CURL -K curl.cold
measure curl10-warm $CURL -H "$IMS" -K curl.cold
measure feedd10-cold "$FEEDD" once -c feedd.conf
measure feedd10-warm "$FEEDD" once -c feedd.conf

echo "== ratios (targets in brackets)"
awk '
	{ wall[$1] = $2; cpu[$1] = $3; rss[$1] = $4 }
	function r(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "n/a" }
	END {
		if ("newsboat-cold" in wall)
			printf "feedd cold / newsboat cold wall: %s  [<= 0.05]\n", r(wall["feedd-cold"], wall["newsboat-cold"])
		if ("newsboat-warm" in wall)
			printf "feedd warm / newsboat warm wall: %s\n", r(wall["feedd-warm"], wall["newsboat-warm"])
		printf "feedd cold / curl cold wall: %s\n", r(wall["feedd-cold"], wall["curl-cold"])
		printf "feedd warm / curl warm wall: %s  [<= 3]\n", r(wall["feedd-warm"], wall["curl-warm"])
		m = 0; for (k in rss) if (k ~ /^feedd/ && rss[k] > m) m = rss[k]
		printf "feedd peak RSS: %d MB  [<= 64]\n", m
		printf "10x feeds, feedd cold cost: wall %s cpu %s  [<= 11]\n", r(wall["feedd10-cold"], wall["feedd-cold"]), r(cpu["feedd10-cold"], cpu["feedd-cold"])
		printf "10x feeds, feedd warm cost: wall %s cpu %s  [<= 11]\n", r(wall["feedd10-warm"], wall["feedd-warm"]), r(cpu["feedd10-warm"], cpu["feedd-warm"])
		printf "10x feeds, curl cold wall: %s, warm wall: %s\n", r(wall["curl10-cold"], wall["curl-cold"]), r(wall["curl10-warm"], wall["curl-warm"])
	}' "$tmp/results"
