#!/bin/sh
# group.sh: story grouping on the labelled headline set (issue 13):
# purity and coverage of the module alone (bench/group_eval.c) and of
# `feedd once` over one RSS feed per publisher (bench/group-stories.py),
# and precision/recall on the labelled AI pairs.  The set's timestamps
# are per-story collection times (a time gap would read the labels):
# the figures that count give every item one date (--same-time, -T).
cd "$(dirname "$0")/.." || exit 1
data=${FEEDD_SHARED:-../shared}/data/news-stories/uci-dev.tsv
[ -f "$data" ] || { echo "group.sh: $data missing"; exit 1; }
tmp=$(mktemp -d /tmp/feedd-group.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cc -std=c11 -D_GNU_SOURCE -I. -O2 -o "$tmp/group_eval" bench/group_eval.c \
	build/libfeedd.a $(pkg-config --libs libcurl libxml-2.0 libuv sqlite3 \
	inih libcjson libsystemd libmicrohttpd) -lz -lm || exit 1
echo "module, arrival by time, one date:  $("$tmp/group_eval" -T "$data")"
echo "module, feed by feed, one date:     $("$tmp/group_eval" -T -o feed "$data")"
echo "module, feed by feed, real dates:   $("$tmp/group_eval" -o feed "$data")"
python3 bench/group-stories.py build "$data" "$tmp/e2e" --same-time || exit 1
build/feedd once -c "$tmp/e2e/feedd.conf" >/dev/null || exit 1
echo "feedd once, one date:               $(python3 bench/group-stories.py score "$data" "$tmp/e2e/feedd.conf" build/feedd)"
echo "pairs (tests/data/group-pairs.tsv): $("$tmp/group_eval" -p tests/data/group-pairs.tsv | tail -1)"
echo "pairs held out (written after):     $("$tmp/group_eval" -p tests/data/group-pairs-heldout.tsv | tail -1)"
