#!/bin/sh
# soak.sh (make soak): `feedd run` over many 1-minute poll cycles on
# feeds that keep changing, while readers and an admin use it; samples
# the daemon's memory, fds, threads and CPU and its files after each
# cycle and says what grew.  The driver is bench/soak.py (its header
# says what it does); the feeds are bench/realfeeds.py's corpus
# (`sh bench/corpus N`), changed by realfeeds.churn, served by a private
# nginx on loopback, each feed under a host name of its own
# (fI.localhost), as real subscriptions are.
#
# SOAK_FEEDS (300), SOAK_CYCLES (15), SOAK_HOSTS (feed: fI.localhost;
# 4: 127.0.0.1-4 as bench/daemon.sh), SOAK_CHANGE (0.25), SOAK_FAIL
# (0.03), SOAK_SEED, SOAK_PRUNE (1: seed items 2 days old under
# faketime first), SOAK_KEEP (keep the work directory), SOAK_PERF=FILE.
# A cycle lasts about 66 s (interval 1m and its jitter): 15 cycles take
# ~17 minutes.  The table goes to build/bench/soak-N.txt too.
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-$PWD/build/feedd}
N=${SOAK_FEEDS:-300}
for t in nginx curl python3 faketime; do
	command -v $t >/dev/null 2>&1 || [ -x /usr/sbin/$t ] || {
		echo "soak.sh: $t missing (scripts/install-deps --all)"; exit 1; }
done
corpus=${FEEDD_CORPUS:-/work/shared/corpus}
[ -f "$corpus/MANIFEST.tsv" ] || corpus=../shared/corpus
dir=$(sh bench/corpus "$N") || exit 1
out=build/bench/soak-$N.txt
# the driver's exit status, not tee's: a soak that gave up fails
rc=$(mktemp) || exit 1
{ SOAK_FEEDS=$N python3 -u bench/soak.py "$FEEDD" "$corpus" "$dir"
  echo $? > "$rc"; } | tee "$out"
status=$(cat "$rc")
rm -f "$rc"
exit "$status"
