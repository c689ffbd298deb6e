#!/bin/sh
# manyhosts.sh: feeds from many publishers.  bench/daemon.sh on the
# realistic corpus with every feed on a host of its own (BENCH_HOSTS=each:
# fN.localhost), at 2,000 and 10,000 feeds (BENCH_HOSTS_SIZES), cold and
# warm, beside curl --parallel making the same requests.  libcurl 7.88
# walks every host it has met after each transfer; the fetcher keeps
# its connections in pools of 256 hosts (daemon/fetch_pool.c), so that a
# cycle's cost per feed does not grow with the hosts.  Prints the warm
# and cold CPU per feed at each size and the ratio of the largest to
# the smallest [<= 1.25, the bound issue 15 sets on CPU per item].
# curl's own --parallel has no such pools: its figures grow with the
# square of the hosts, so its floor is no floor here.
cd "$(dirname "$0")/.." || exit 1
SIZES=${BENCH_HOSTS_SIZES:-2000 10000}
BENCH_HOSTS=each BENCH_SIZES=$SIZES BENCH_NEWSBOAT_MAX=0 BENCH_RENDER=0 \
    sh bench/daemon.sh > build/bench/manyhosts.out || {
	cat build/bench/manyhosts.out; exit 1; }
grep -E '^== [0-9]+ feeds|^  (feedd|curl)-(cold|warm)' build/bench/manyhosts.out
sed -n '/^== summary/,$p' build/bench/manyhosts.out | grep -vE 'CPU per item|the same per byte'
awk -v sizes="$SIZES" '
	$1 ~ /^[0-9]+$/ && NF >= 4 && $3 ~ /s\// {
		split($3, c, "/"); split($4, w, "/")
		cold[$1] = c[2] + 0; warm[$1] = w[2] + 0
	}
	END {
		n = split(sizes, s, " ")
		for (i = 1; i <= n; i++)
			printf "%s feeds, each on its own host: CPU per feed cold" \
			    " %.0f us, warm %.1f us\n", s[i],
			    cold[s[i]] / s[i] * 1e6, warm[s[i]] / s[i] * 1e6
		if (n > 1 && warm[s[1]] > 0 && cold[s[1]] > 0)
			printf "CPU per feed, %s / %s hosts: cold %.3f, warm" \
			    " %.3f  [<= 1.25]\n", s[n], s[1],
			    (cold[s[n]] / s[n]) / (cold[s[1]] / s[1]),
			    (warm[s[n]] / s[n]) / (warm[s[1]] / s[1])
	}' build/bench/manyhosts.out
