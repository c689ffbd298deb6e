#!/bin/sh
# bench/parse.sh: `feedd parse` throughput over the realistic corpus
# (bench/realfeeds.py: 2,000 feeds replicated from the real captures,
# ~160 MB, in build/bench/, not committed), all files in one process, beside a bare libxml2 SAX2 push parser (bench/sax_bare.c,
# the floor), sfeed (all files on one stdin) and `xmllint --stream`, in
# the same run.  Each tool runs BENCH_RUNS times (3); the median CPU time
# (user + sys) is reported.  BENCH_PARSE_FEEDS sets the corpus size.
#
# What bounds feedd (callgrind on 19 MB of the corpus): libxml2's own
# tokenizing is about 64% of the instructions, as many as the bare SAX2
# floor executes (no slow path of ours: no encoding handler, SAX2 only);
# the rest is the UTF-8 check before libxml2 (~4%), escaping nearly every
# input byte again as JSON (~9%), dates, links and per-field copies
# (~10%), and ~7 ms of dynamic linking per process.
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-build/feedd}
RUNS=${BENCH_RUNS:-3}
mkdir -p build/bench
[ -x "$FEEDD" ] || make --no-print-directory "$FEEDD" >/dev/null || exit 1

# The realistic corpus (bench/realfeeds.py), BENCH_PARSE_FEEDS feeds.
N=${BENCH_PARSE_FEEDS:-2000}
DIR=$(sh bench/corpus "$N") || exit 1
cat "$DIR"/*.xml > build/bench/all.xml
cc -std=c11 -O2 $(pkg-config --cflags libxml-2.0) -o build/bench/sax_bare \
	bench/sax_bare.c $(pkg-config --libs libxml-2.0) || exit 1
stat=$(cat "$DIR.stat")
nitems=$(echo "$stat" | sed 's/.* items=\([0-9]*\).*/\1/')
nbytes=$(echo "$stat" | sed 's/.* bytes=\([0-9]*\).*/\1/')
echo "corpus: $stat"
echo "(bench/realfeeds.py); median of $RUNS runs, CPU = user + sys"

# One run's CPU seconds (user + sys): perf's task-clock (ms resolution)
# when perf works here, else time(1) (10 ms).
cpu1() {
	if perf stat -x, -e task-clock -o build/bench/time.out "$@" \
	    >/dev/null 2>&1 && grep -q task-clock build/bench/time.out; then
		awk -F, '/task-clock/ { printf "%.3f\n", $1 / 1000 }' \
			build/bench/time.out
		return
	fi
	/usr/bin/time -f "%U %S" -o build/bench/time.out "$@" >/dev/null 2>&1
	awk '{ printf "%.3f\n", $1 + $2 }' build/bench/time.out
}

# The median CPU seconds of RUNS runs, output discarded.
cpu() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		cpu1 "$@"
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

cat build/bench/all.xml > /dev/null	# warm the page cache
t_feedd=$(cpu "$FEEDD" parse "$DIR"/*.xml)
t_bare=$(cpu build/bench/sax_bare "$DIR"/*.xml)
if command -v sfeed >/dev/null; then
	t_sfeed=$(cpu sh -c 'sfeed < build/bench/all.xml')
else
	t_sfeed=0
fi
if command -v xmllint >/dev/null; then
	t_xmllint=$(cpu sh -c "xmllint --stream --noout $DIR/*.xml")
else
	t_xmllint=0
fi

awk -v b="$nbytes" -v n="$nitems" -v f="$t_feedd" -v s="$t_sfeed" \
    -v x="$t_xmllint" -v bare="$t_bare" 'BEGIN {
	mb = b / 1048576
	printf "%-16s %8s %9s %11s %12s\n", "", "CPU s", "MB/s", "items/s",
	    "feedd/this"
	row("feedd parse", f)
	row("bare SAX2", bare)
	row("sfeed", s)
	row("xmllint --stream", x)
}
function row(name, t) {
	if (t <= 0) {
		printf "%-16s (not installed)\n", name
		return
	}
	printf "%-16s %8.3f %9.1f %11.0f %12.2f\n", name, t, mb / t, n / t,
	    t / f
}'
