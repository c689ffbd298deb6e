#!/bin/sh
# render.sh: writing feed.xml and feed.json from a store filled with the
# realistic corpus (BENCH_RENDER_FEEDS feeds, 10,000 by default: ~280,000
# stories), at max_entries = 200, 2,000, 16,000 and 100,000: CPU per
# entry and peak RSS, each size in its own process, median of 3 runs
# (which find the outputs of the run before, the same bytes, and only
# compare them; "written" is one more run that writes them anew).
# Targets: <= 20 us per entry at 100,000; peak RSS at 100,000 no higher
# than at 200.  The first run of a size makes (and keeps, item_html) the
# HTML of the entries no smaller size showed: its figure is printed
# apart ("first"); the median is a render that finds it kept, as the
# daemon's renders after a flush do.  BENCH_RENDER_DB=PATH renders from
# that database (made by an earlier run with BENCH_KEEP_DB) instead of
# building one, which takes minutes.
cd "$(dirname "$0")/.." || exit 1
make --no-print-directory build/libfeedd.a >/dev/null || exit 1
n=${BENCH_RENDER_FEEDS:-10000}
sh bench/corpus "$n" >/dev/null || exit 1
PKGS="libcurl libxml-2.0 libuv sqlite3 inih libcjson libsystemd libmicrohttpd"
for b in store_bench render_one; do
	cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags $PKGS) \
		-o build/$b bench/$b.c build/libfeedd.a \
		$(pkg-config --libs $PKGS) -lz -lm || exit 1
done
if [ -n "$BENCH_RENDER_DB" ]; then
	db=$BENCH_RENDER_DB
else
	db=$(BENCH_KEEP_DB=1 build/store_bench "build/bench/real-$n" |
		sed -n 's/^kept //p')
	[ -f "$db" ] || { echo "render.sh: no database"; exit 1; }
	[ -n "$BENCH_KEEP_DB" ] && echo "kept $db" ||
		trap 'rm -rf "$(dirname "$db")"' EXIT INT TERM
fi
out=$(mktemp -d) || exit 1
echo "corpus: $(cat "build/bench/real-$n.stat")"
echo "stories: $(sqlite3 "$db" 'SELECT count(*) FROM stories')" \
	"(median of 3 runs; CPU of the render only; peak RSS of the process," \
	"median of the 3)"
printf '%-12s %8s %8s %10s %8s %8s %8s\n' max_entries entries "cpu s" \
	"us/entry" "rss MB" "first" "written"
: > "$out/rss"
for m in 200 2000 16000 100000; do
	for r in 1 2 3; do
		build/render_one "$db" "$m" "$out" || exit 1
	done > "$out/runs"
	rss=$(cut -d' ' -f4 "$out/runs" | sort -n | sed -n 2p)
	faults=$(cut -d' ' -f5 "$out/runs" | sort -n | sed -n 2p)
	echo "$m $rss $faults" >> "$out/rss"
	awk 'NR == 1 { first = $3 } { print $0, first }' "$out/runs" |
	sort -k2 -n | sed -n 2p | {
		read -r e c u _ _ first
		# the median finds the same bytes there and writes nothing;
		# "written": a kept render with no file there, every byte
		# written, as when the entries changed
		rm -f "$out/feed.xml" "$out/feed.json"
		sync	# not the writeback of an earlier run's files
		written=$(build/render_one "$db" "$m" "$out" | cut -d' ' -f3)
		printf '%-12s %8s %8s %10s %8s %8s %8s\n' "$m" "$e" "$c" \
		    "$u" "$rss" "$first" "$written"
	}
done
# The peak moves by some 0.25 MB between identical runs (the libraries'
# pages); the minor faults, which count the pages the process touched
# first, by a few: the second line says how much more a long render
# touches.
awk '$1 == 200 { a = $2; fa = $3 } $1 == 100000 { b = $2; fb = $3 } END {
	printf "peak RSS, 100000 entries against 200: %+.2f MB  [<= 0]\n",
	    b - a
	printf "pages first touched, 100000 entries against 200: %+d" \
	    " (%+.2f MB; medians of 3)\n", fb - fa, (fb - fa) * 4 / 1024 }' \
	"$out/rss"
rm -rf "$out"
