#!/bin/sh
# manyfeeds.sh: the memory feedd needs per configured feed, beyond what
# its bounded parts (the page cache, the grouping window, the parse
# backlog) hold whatever the number of feeds.
#
# Two configs: the 10,000 feeds of the realistic corpus
# (bench/realfeeds.py), and the same 10,000 plus BENCH_QUIET (90,000)
# quiet feeds: a channel with no items, as most feeds are between two
# stories.  Read as file: URLs, so the figures are feedd's alone.  Cold:
# a new database, every feed new; warm: the same once again, nothing
# changed.  Prints the peak RSS of each and the difference per feed.
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-$PWD/build/feedd}
QUIET=${BENCH_QUIET:-90000}
REAL=10000
sh bench/corpus "$REAL" >/dev/null || exit 1
tmp=$(mktemp -d /tmp/feedd-many.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/q"
cat > "$tmp/q/quiet.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>A quiet feed</title>
<link>https://example.org/</link>
<description>No new stories today</description>
<language>en</language></channel></rss>
EOF
(cd "$tmp/q" && i=0 && while [ $i -lt "$QUIET" ]; do
	ln -s quiet.xml "q-$i.xml"; i=$((i + 1)); done)

# config N_QUIET: feedd.conf of the real feeds and N_QUIET quiet ones
config() {
	{
		printf '[daemon]\nstate_dir = state-%s\ninterval = 30m\n' "$1"
		printf 'concurrency = 16\nper_host = 16\nlog_level = warning\n\n'
		printf '[output]\natom = feed.xml\nmax_entries = 200\n\n'
		printf '[alerts]\nlog = alerts.log\n\n'
		printf '[alert "ai-cn"]\nmatch = 人工智能 OR "open source"\n\n'
		awk -v n="$REAL" -v q="$1" -v real="$PWD/build/bench/real-$REAL" \
		    -v quiet="$tmp/q" 'BEGIN {
			for (i = 0; i < n; i++)
				printf "[feed \"real %d\"]\nurl = file://%s/feed-%d.xml\n\n", i, real, i
			for (i = 0; i < q; i++)
				printf "[feed \"quiet %d\"]\nurl = file://%s/q-%d.xml\n\n", i, quiet, i
		}'
	} > "$tmp/feedd-$1.conf"
}

# run LABEL CONF: "LABEL wall cpu peak_kb"
run() {
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$FEEDD" once \
	    -c "$2" > /dev/null 2> "$tmp/err" || { cat "$tmp/err"; exit 1; }
	set -- "$1" $(tail -1 "$tmp/time")
	echo "$1 $2 $(echo "$3 $4" | awk '{print $1 + $2}') $5"
}

echo "corpus: $(cat "build/bench/real-$REAL.stat"); quiet feeds: $QUIET"
printf '%-22s %8s %8s %10s\n' run "wall s" "cpu s" "peak MB"
for q in 0 "$QUIET"; do
	config "$q"
	(cd "$tmp" && run "cold-$((REAL + q))" "feedd-$q.conf" &&
	    run "warm-$((REAL + q))" "feedd-$q.conf")
done | tee "$tmp/results" | awk '{ printf "%-22s %8s %8s %10.1f\n", $1, $2, $3, $4 / 1024 }'
awk -v q="$QUIET" -v n="$REAL" '
	{ split($1, a, "-"); kb[a[1] "-" a[2]] = $4 }
	END {
		for (m = 1; m <= 2; m++) {
			k = m == 1 ? "cold" : "warm"
			printf "%s: %.0f bytes per feed beyond %d feeds (%d -> %d)\n", k,
			    (kb[k "-" n + q] - kb[k "-" n]) * 1024 / q, n, n, n + q
		}
	}' "$tmp/results"

# The commands an administrator runs on such a setup, on the database
# the runs above left, beside check-config's figure: the config's alone.
# cmd ARGS: "ARGS wall peak_kb"
cmd() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$FEEDD" -c \
	    "feedd-$QUIET.conf" "$@" > /dev/null 2> "$tmp/err"
	echo "$* $(tail -1 "$tmp/time")"
}
echo "commands on $((REAL + QUIET)) feeds:"
(cd "$tmp" && for c in check-config feeds "feeds --json" status \
    "status --json" export-opml; do
	# shellcheck disable=SC2086
	cmd $c
done
	# the list it exported, read back into an empty config (its file: URLs
	# are skipped, each said so: the reading is what is measured)
	"$FEEDD" -c "feedd-$QUIET.conf" export-opml > list.opml
	mkdir imp && printf '[daemon]\nstate_dir = st\n' > imp/feedd.conf
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$FEEDD" -c imp/feedd.conf \
	    import-opml list.opml > /dev/null 2>&1
	echo "import-opml $(tail -1 "$tmp/time")"
) | awk '{ kb = $NF; wall = $(NF - 1); $NF = ""; $(NF - 1) = ""
	printf "  %-20s %6s s %7.1f MB\n", $0, wall, kb / 1024 }'

# The daemon on the same setup, idle (every feed was fetched just now):
# its RSS before and after two reloads (SIGHUP), and its peak.
cd "$tmp" || exit 1
sed 's/^log_level = warning/log_level = info/' "feedd-$QUIET.conf" > run.conf
"$FEEDD" run -c run.conf 2> run.log &
pid=$!
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
until grep -q "running:" run.log; do
	kill -0 "$pid" 2>/dev/null || { cat run.log; exit 1; }
	sleep 0.2
done
before=$(rss VmRSS)
for n in 1 2; do
	kill -HUP "$pid"
	until [ "$(grep -c 'reloaded:' run.log)" -ge "$n" ]; do
		kill -0 "$pid" 2>/dev/null || { cat run.log; exit 1; }
		sleep 0.2
	done
done
after=$(rss VmRSS)
peak=$(rss VmHWM)
kill "$pid"
wait "$pid"
echo "feedd run, $((REAL + QUIET)) feeds, two reloads: RSS" \
    "$((before / 1024)) MB before, $((after / 1024)) MB after," \
    "peak $((peak / 1024)) MB"
