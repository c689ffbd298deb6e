#!/bin/sh
# daemon.sh: `feedd once`, cold (everything new) and warm (every answer
# 304), on the realistic corpus (bench/realfeeds.py: the real captures
# replicated with fresh ids and links) at 300, 2,000 and 10,000 feeds,
# served by a private nginx on 127.0.0.1-4; beside newsboat -x reload
# (the same libcurl + libxml2 + SQLite stack, cold, up to 2,000 feeds)
# and curl --parallel making the same requests (the floor: fetching
# only; warm with each URL's If-None-Match, as feedd sends it).
#
# The machine is shared, so: cold figures are the median of
# BENCH_RUNS runs (3), each on a fresh database (at 10,000 feeds one
# run's CPU moved by 10% from the next: 22.0, 22.4 and 24.4 s the same
# morning);
# warm figures are the best of 3; CPU is user + sys; ratios compare runs
# of the same invocation.  Prints the corpus statistics beside each size.
#
# All feeds sit on one machine, so per_host would throttle feedd to 2
# transfers; the bench serves them under 4 loopback names (127.0.0.1-4)
# and sets per_host = 4, concurrency = 16 (curl's --parallel-max 16).
# BENCH_SIZES (default "300 2000 10000"), BENCH_NEWSBOAT_MAX (2000).
# BENCH_GZIP=1: the feeds served gzipped, as most publishers serve them
# (nginx's gzip_static, from a .gz made once beside each file); feedd,
# newsboat and curl (--compressed) all ask for gzip.
# At a largest size of 10,000 feeds or more it then measures the outputs
# rendered in a warm once, at max_entries 200 against 100,000
# (render_in_once, below).
# BENCH_HOSTS=each: every feed on a host of its own (fN.localhost,
# which libcurl resolves to 127.0.0.1 itself), as feeds from many
# publishers are; bench/manyhosts.sh.  BENCH_RENDER=0: not the render.
# BENCH_PERF=N: one more cold run at N feeds under `perf record -g`,
# then the top costs by symbol (self time), kept in build/bench/perf-N.*
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-$PWD/build/feedd}
SIZES=${BENCH_SIZES:-300 2000 10000}
NBMAX=${BENCH_NEWSBOAT_MAX:-2000}
for t in nginx /usr/bin/time curl python3; do
	command -v $t >/dev/null 2>&1 || [ -x "$t" ] || [ -x /usr/sbin/$t ] || {
		echo "daemon.sh: $t missing (scripts/install-deps --all)"; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
BENCH=$PWD/build/bench
tmp=$(mktemp -d /tmp/feedd-bench.XXXXXX)
chmod 755 "$tmp"
port=$((20000 + $$ % 20000))
cleanup() {
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	sleep 0.2
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

GZIP=${BENCH_GZIP:-}
for n in $SIZES; do
	sh bench/corpus "$n" >/dev/null || exit 1
	[ -n "$GZIP" ] || continue
	# -n: no name or time inside, so the same file gives the same bytes
	find "$BENCH/real-$n" -name 'feed-*.xml' | while read -r f; do
		[ "$f.gz" -nt "$f" ] || gzip -6 -n -k -f "$f"
	done
done
chmod -R a+rX "$BENCH"

cat > "$tmp/nginx.conf" <<NGX
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 8192; }
http {
	access_log off;
	sendfile on;
	keepalive_requests 1000000;
	types { application/rss+xml xml; }
	server {
		listen 127.0.0.1:$port; listen 127.0.0.2:$port;
		listen 127.0.0.3:$port; listen 127.0.0.4:$port;
		root $BENCH;
		${GZIP:+gzip_static on;}
	}
}
NGX
mkdir -p "$tmp/logs"
"$NGINX" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" || {
	echo "daemon.sh: nginx did not start"; exit 1; }
sleep 0.3

# make_inputs N: feedd.conf, newsboat's urls, curl's cold and warm
# configs (warm: the ETag nginx sends, "mtime-size" in hex).
make_inputs() {
	n=$1 d=$tmp/s$1
	mkdir -p "$d/home"
	{
		printf '[daemon]\nstate_dir = state\ninterval = 30m\n'
		printf 'concurrency = 16\nper_host = 4\ntimeout = 30s\n'
		printf 'log_level = warning\n\n[output]\natom = feed.xml\n'
		printf 'json = feed.json\nmax_entries = 200\n\n'
		printf '[alerts]\nlog = alerts.log\n\n'
		printf '[alert "agents"]\nmatch = agent AND robotics\n\n'
		printf '[alert "ai-cn"]\nmatch = 人工智能 OR "open source"\n\n'
	} > "$d/feedd.conf"
	# gzipped, nginx's ETag is the .gz file's
	(cd "$BENCH/real-$n" && find . -name "feed-*.xml${GZIP:+.gz}" \
	    -printf '%f %T@ %s\n' | sed 's/\.gz / /') |
	awk -v n="$n" -v port="$port" -v d="$d" -v gz="${GZIP:+compressed\n}" \
	    -v each="$([ "${BENCH_HOSTS:-}" = each ] && echo 1)" '
	{
		split($1, a, /[-.]/); i = a[2]; mt = int($2)
		if (each)
			u = sprintf("http://f%d.localhost:%d/real-%d/%s", i, port, n, $1)
		else
			u = sprintf("http://127.0.0.%d:%d/real-%d/%s", i % 4 + 1, port, n, $1)
		url[i] = u; etag[i] = sprintf("\\\"%x-%x\\\"", mt, $3)
	}
	END {
		for (i = 0; i < NR; i++) {
			printf "[feed \"feed %d\"]\nurl = %s\n\n", i, url[i] >> (d "/feedd.conf")
			print url[i] > (d "/urls")
			# "next" separates transfers; a trailing one is an error
			sep = i ? "next\n" : ""
			printf "%surl = \"%s\"\noutput = \"/dev/null\"\nsilent\nwrite-out = \"%%{http_code}\\n\"\n%s", sep, url[i], gz > (d "/curl.cold")
			printf "%surl = \"%s\"\noutput = \"/dev/null\"\nsilent\nwrite-out = \"%%{http_code}\\n\"\nheader = \"If-None-Match: %s\"\n%s", sep, url[i], etag[i], gz > (d "/curl.warm")
		}
	}'
}

# measure LABEL CMD...: appends "LABEL wall cpu rss_mb" to $tmp/results.
# Wall from date(1) in nanoseconds: /usr/bin/time's centiseconds round
# curl's all-304 run (a few hundredths) to 0 or double it.
measure() {
	label=$1; shift
	# not the writeback of the run before: after a cold 2,000-feed run
	# the next 300-feed run took 0.9 s of CPU, not 0.65
	sync
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
	*)	note=$(cat "$tmp/out" "$tmp/err" | head -c 120 | tr '\n' ' ') ;;
	esac
	printf '  %-22s wall %7ss  cpu %6ss  rss %4s MB  (exit %d) %s\n' \
	    "$label" "$wall" "$cpu" "$(($3 / 1024))" "$rc" "$note"
}
CURL="curl -s --parallel --parallel-max 16"
# median(s): the median of the space-separated numbers in s (0: none)
MEDIAN_AWK='
	function median(s,   a, n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n ? a[int((n + 1) / 2)] : 0
	}'
SMALL=${SIZES%% *} LARGE=${SIZES##* }

# near N: at the largest size, three cold runs of the smallest just
# before its own and three just after ("feedd-near-SMALL"), so that CPU
# per item compares runs minutes, not a quarter of an hour, apart: the
# machine's speed moves by 15% and more within the hour.
near() {
	[ "$1" = "$LARGE" ] && [ "$1" != "$SMALL" ] || return 0
	(cd "$tmp/s$SMALL" && for r in 1 2 3; do
		rm -rf state
		measure "feedd-near-$SMALL" "$FEEDD" once -c feedd.conf
	done)
}

: > "$tmp/results"
for n in $SIZES; do
	make_inputs "$n"
	cd "$tmp/s$n" || exit 1
	runs=${BENCH_RUNS:-3}
	echo "== $n feeds: corpus $(cat "$BENCH/real-$n.stat")"
	sed -n 's/.*items=\([0-9]*\) bytes=\([0-9]*\) html_per_item=\([0-9]*\).*/corpus-'"$n"' \1 \2 \3/p' \
	    "$BENCH/real-$n.stat" >> "$tmp/results"
	measure "curl-cold-$n" $CURL -K curl.cold
	for r in 1 2 3; do measure "curl-warm-$n" $CURL -K curl.warm; done
	near "$n"
	# newsboat's own time moves by a third within minutes (nearly all
	# of it system time; bench/RESULTS.md): its runs alternate with
	# feedd's, so that the ratio compares the same minutes
	nb=
	[ "$n" -le "$NBMAX" ] && command -v newsboat >/dev/null 2>&1 && nb=1
	: > nb.conf
	for r in $(seq "$runs"); do
		rm -rf state
		measure "feedd-cold-$n" "$FEEDD" once -c feedd.conf
		[ -n "$nb" ] || continue
		rm -f nb.db
		measure "newsboat-cold-$n" env HOME="$tmp/s$n/home" \
		    newsboat -u urls -c nb.db -C nb.conf -x reload
	done
	near "$n"
	if [ "${BENCH_PERF:-}" = "$n" ]; then
		rm -rf state
		perf record -q ${BENCH_PERF_OPTS:--g} -o "$BENCH/perf-$n.data" "$FEEDD" once \
		    -c feedd.conf > /dev/null 2>&1
		perf report -i "$BENCH/perf-$n.data" --no-children \
		    --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' |
		    head -30 > "$BENCH/perf-$n.txt"
		echo "  perf, cold, self time by symbol (top 30):"
		sed 's/^/    /' "$BENCH/perf-$n.txt"
	fi
	db=$(du -k state/feedd.db | cut -f1)
	wal=$(du -k state/feedd.db-wal 2>/dev/null | cut -f1)
	items=$(sqlite3 state/feedd.db 'SELECT count(*) FROM items')
	stories=$(sqlite3 state/feedd.db 'SELECT count(*) FROM stories')
	echo "db-$n $((db + ${wal:-0})) $items" >> "$tmp/results"
	# the captures alone: 5,251 items in 4,883 stories (7% joined)
	echo "  database: $(((db + ${wal:-0}) / 1024)) MB, $items items" \
	    "in $stories stories ($(((items - stories) * 100 / items))%" \
	    "joined a story of an earlier item)"
	for r in 1 2 3; do measure "feedd-warm-$n" "$FEEDD" once -c feedd.conf; done
	cd "$OLDPWD" || exit 1
done

# render_in_once FEEDS: the outputs rendered by the process that fetches,
# as the daemon renders them and as the issue measured them (the peak
# RSS of a warm `feedd once`): the first FEEDS feeds of the largest
# size, on its database, plus a file: feed given one new item each run
# so that every run renders.  max_entries 200 and 100,000 alternate,
# BENCH_RENDER_ROUNDS (5) times after one unmeasured run of each (the
# first 100,000 makes the entries' kept HTML); medians of peak RSS and
# of the pages first touched (minor faults).
render_in_once() {
	d=$tmp/s$LARGE k=0
	awk -v n="$1" '/^\[feed /{c++} c <= n' "$d/feedd.conf" > "$d/render.conf"
	printf '[feed "render extra"]\nurl = file://%s/extra.xml\n' "$tmp" \
	    >> "$d/render.conf"
	for r in 0 $(seq "${BENCH_RENDER_ROUNDS:-5}"); do
		for m in 200 100000; do
			k=$((k + 1))
			{
				printf '<rss version="2.0"><channel><title>extra'
				printf '</title><link>http://extra.example/</link>\n'
				for i in $(seq "$k" -1 1); do
					printf '<item><title>Extra %d</title>' "$i"
					printf '<guid>extra-%d</guid></item>\n' "$i"
				done
				printf '</channel></rss>\n'
			} > "$tmp/extra.xml"
			sed -i "s/^max_entries = .*/max_entries = $m/" \
			    "$d/render.conf"
			(cd "$d" && /usr/bin/time -f '%M %R' -o "$tmp/time" \
			    "$FEEDD" once -c render.conf > /dev/null 2>&1) || {
				echo "daemon.sh: render run failed"; return 1; }
			[ "$r" = 0 ] || echo "$m $(tail -1 "$tmp/time")"
		done
	done > "$tmp/render-$1"
	awk -v n="$1" "$MEDIAN_AWK"'
	{ rss[$1] = rss[$1] " " $2; flt[$1] = flt[$1] " " $3 }
	END {
		printf "  %d feeds, max_entries 200: peak RSS %.2f MB, %d pages;" \
		    " 100000: %.2f MB, %d pages\n", n, median(rss[200]) / 1024,
		    median(flt[200]), median(rss[100000]) / 1024, median(flt[100000])
		printf "render in a warm once at %d feeds, 100000 entries" \
		    " against 200: peak RSS %+.2f MB, pages first touched %+d" \
		    "  [<= 0]\n", n, (median(rss[100000]) - median(rss[200])) / 1024,
		    median(flt[100000]) - median(flt[200])
	}' "$tmp/render-$1"
}

if [ "$LARGE" -ge 10000 ] && [ "${BENCH_RENDER:-1}" != 0 ]; then
	echo "== the outputs rendered in a warm once, on the $LARGE-feed" \
	    "database ($(sqlite3 "$tmp/s$LARGE/state/feedd.db" \
	    'SELECT count(*) FROM stories') stories)"
	render_in_once "$SMALL"
	render_in_once "$LARGE"
fi

echo "== summary: cold = median of runs, warm = best of 3 (targets in brackets)"
awk -v sizes="$SIZES" "$MEDIAN_AWK"'
	function med(k) { return median(v[k]) }
	function best(k,   n, i, a, m) {
		n = split(v[k], a, " "); m = a[1]
		for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]
		return m
	}
	function r(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "n/a" }
	$1 ~ /^db-/ { db[substr($1, 4)] = $2; items[substr($1, 4)] = $3; next }
	$1 ~ /^corpus-/ { k = substr($1, 8); cbytes[k] = $3 / $2; chtml[k] = $4; next }
	{ v[$1 " wall"] = v[$1 " wall"] " " $2; v[$1 " cpu"] = v[$1 " cpu"] " " $3
	  if ($4 > rss[$1]) rss[$1] = $4 }
	END {
		n = split(sizes, s, " ")
		printf "%-7s %-7s %-22s %-22s %-12s %-9s %-9s %-9s\n", "feeds", "items",
		    "cold wall/cpu/rss", "warm wall/cpu/rss", "db MB (KB/it)",
		    "newsboat", "curl cold", "curl warm"
		for (i = 1; i <= n; i++) {
			k = s[i]
			printf "%-7s %-7s %-22s %-22s %-12s %-9s %-9s %-9s\n", k, items[k],
			    sprintf("%.2fs/%.2fs/%dMB", med("feedd-cold-" k " wall"), med("feedd-cold-" k " cpu"), rss["feedd-cold-" k]),
			    sprintf("%.3fs/%.2fs/%dMB", best("feedd-warm-" k " wall"), best("feedd-warm-" k " cpu"), rss["feedd-warm-" k]),
			    sprintf("%.0f (%.2f)", db[k] / 1024, items[k] ? db[k] / items[k] : 0),
			    ("newsboat-cold-" k " wall" in v) ? sprintf("%.2fs", med("newsboat-cold-" k " wall")) : "-",
			    sprintf("%.3fs", med("curl-cold-" k " wall")), sprintf("%.3fs", best("curl-warm-" k " wall"))
		}
		for (i = 1; i <= n; i++) {
			k = s[i]
			if (("newsboat-cold-" k " wall") in v)
				printf "%s feeds: feedd cold / newsboat cold wall: %s  [<= 0.15]\n", k, r(med("feedd-cold-" k " wall"), med("newsboat-cold-" k " wall"))
			printf "%s feeds: feedd warm / curl warm wall (best of 3): %s  [<= 3]\n", k, r(best("feedd-warm-" k " wall"), best("curl-warm-" k " wall"))
			printf "%s feeds: peak RSS cold %d MB, warm %d MB  [<= 64]\n", k, rss["feedd-cold-" k], rss["feedd-warm-" k]
			printf "%s feeds: database %.2f KB per item  [<= 5]\n", k, items[k] ? db[k] / items[k] : 0
			if (items[k]) cpi[k] = med("feedd-cold-" k " cpu") / items[k]
			printf "%s feeds: cold CPU per item %.1f us\n", k, cpi[k] * 1e6
		}
		if (cpi[s[1]] > 0 && n > 1)
			printf "CPU per item, %s / %s feeds: %s  [<= 1.25]\n", s[n], s[1], r(cpi[s[n]], cpi[s[1]])
		near = med("feedd-near-" s[1] " cpu") / items[s[1]]
		if (("feedd-near-" s[1] " cpu") in v && near > 0)
			printf "CPU per item, %s / %s feeds run just before and after it (%s runs, median %.1f us): %s  [<= 1.25]\n", s[n], s[1], split(v["feedd-near-" s[1] " cpu"], t, " "), near * 1e6, r(cpi[s[n]], near)
		# feed I copies capture I mod 186: 300 feeds count 114 of them
		# twice, 10,000 all of them about equally, so their items differ
		if (("feedd-near-" s[1] " cpu") in v && near > 0 && cbytes[s[1]] > 0 && cbytes[s[n]] > 0)
			printf "  the same per byte of feed (%s feeds: %.0f bytes an item, %s of HTML; %s feeds: %.0f, %s): %s\n", s[n], cbytes[s[n]], chtml[s[n]], s[1], cbytes[s[1]], chtml[s[1]], r(cpi[s[n]] / cbytes[s[n]], near / cbytes[s[1]])
	}' "$tmp/results"
