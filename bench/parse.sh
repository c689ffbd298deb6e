#!/bin/sh
# bench/parse.sh: `feedd parse` throughput over >= 100 MB of generated
# feeds (bench/gen-feeds.py into build/bench/, not committed), all files
# in one process, beside sfeed and `xmllint --stream` in the same run.
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-build/feedd}
DIR=build/bench/feeds
mkdir -p build/bench
if [ ! -f build/bench/feeds.stat ]; then
	python3 bench/gen-feeds.py "$DIR" 110 > build/bench/feeds.stat || exit 1
	cat "$DIR"/*.xml > build/bench/all.xml
fi
read -r nfiles nitems nbytes < build/bench/feeds.stat
mb=$(echo "$nbytes" | awk '{ printf "%.1f", $1 / 1048576 }')
echo "corpus: $nfiles files, $nitems items, $mb MB"

# Prints "cpu_seconds" of the command (user + sys), output discarded.
cpu() {
	/usr/bin/time -f "%U %S" -o build/bench/time.out "$@" >/dev/null 2>&1
	awk '{ printf "%.3f", $1 + $2 }' build/bench/time.out
}

# warm the page cache
cat build/bench/all.xml > /dev/null
t_feedd=$(cpu "$FEEDD" parse "$DIR"/*.xml)
t_sfeed=$(cpu sh -c 'sfeed < build/bench/all.xml')
t_xmllint=$(cpu sh -c "xmllint --stream --noout $DIR/*.xml")

awk -v b="$nbytes" -v n="$nitems" -v f="$t_feedd" -v s="$t_sfeed" \
    -v x="$t_xmllint" 'BEGIN {
	mb = b / 1048576
	printf "feedd parse   %6.2f s CPU  %7.1f MB/s  %9.0f items/s\n", f, mb / f, n / f
	if (s > 0) printf "sfeed         %6.2f s CPU  %7.1f MB/s   (feedd/sfeed %.2f)\n", s, mb / s, s / f
	if (x > 0) printf "xmllint       %6.2f s CPU  %7.1f MB/s   (feedd/xmllint %.2f)\n", x, mb / x, x / f
}'
