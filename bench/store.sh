#!/bin/sh
# store: store_put_doc of 1,000 feeds x 50 items, cold then unchanged.
cd "$(dirname "$0")/.." || exit 1
make --no-print-directory build/libfeedd.a >/dev/null || exit 1
cc -std=c11 -D_GNU_SOURCE -O2 -I. $(pkg-config --cflags libxml-2.0) \
	-o build/store_bench bench/store_bench.c build/libfeedd.a \
	$(pkg-config --libs libcurl libxml-2.0 libuv sqlite3 inih libcjson \
	libsystemd libmicrohttpd) -lz -lm || exit 1
exec timeout 600 build/store_bench "${1:-1000}" "${2:-50}"
