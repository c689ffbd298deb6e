#!/bin/sh
# store: store_put_doc of the realistic corpus (bench/realfeeds.py,
# BENCH_STORE_FEEDS feeds, 2000 by default), cold then unchanged, beside
# a bare FTS5 insert of the same text in the same run.
cd "$(dirname "$0")/.." || exit 1
make --no-print-directory build/libfeedd.a >/dev/null || exit 1
n=${BENCH_STORE_FEEDS:-2000}
sh bench/corpus "$n" >/dev/null || exit 1
cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags libxml-2.0) \
	-o build/store_bench bench/store_bench.c build/libfeedd.a \
	$(pkg-config --libs libcurl libxml-2.0 libuv sqlite3 inih libcjson \
	libsystemd libmicrohttpd) -lz -lm || exit 1
echo "corpus: $(cat build/bench/real-$n.stat)"
exec timeout 900 build/store_bench "build/bench/real-$n"
