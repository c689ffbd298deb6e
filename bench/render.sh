#!/bin/sh
# render.sh: output rendering time (1,000 entries), alert matching cost
# (100 rules over 100,000 items) and the trigram index's size and build
# cost.  Sizes: BENCH_STORIES, BENCH_ITEMS, BENCH_RULES.  Prints figures.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/libfeedd.a >/dev/null
PKGS="libcurl libxml-2.0 libuv sqlite3 inih libcjson libsystemd libmicrohttpd"
cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags $PKGS) \
	-o build/render_bench bench/render_bench.c build/libfeedd.a \
	$(pkg-config --libs $PKGS) -lz -lm
dir=$(mktemp -d /tmp/feedd-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
echo "render bench in $dir ($(nproc) cores)"
build/render_bench "${BENCH_STORIES:-1000}" "${BENCH_ITEMS:-100000}" \
	"${BENCH_RULES:-100}" "$dir"
