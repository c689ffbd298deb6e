#!/bin/sh
# bigfeeds.sh: memory when every feed is as large as max_size allows
# (10 MB).  BENCH_BIG (32) feeds of real items: the RSS items of the
# realistic corpus (bench/realfeeds.py, 300 feeds), each copy given its
# own guid and link, repeated up to 9.5 MB a feed.  Served over HTTP by
# the tests' testsrv (one host, per_host = concurrency = 16), so that
# transfers overlap as they would on the network.  Prints the corpus
# beside the peak RSS of a cold `feedd once` over one such feed and over
# all of them: the documents in memory at once are bounded by the
# pipeline's byte budget (daemon/pipeline.h), not by their number.
cd "$(dirname "$0")/.." || exit 1
FEEDD=${FEEDD_BIN:-$PWD/build/feedd}
N=${BENCH_BIG:-32}
make --no-print-directory build/testsrv >/dev/null || exit 1
sh bench/corpus 300 >/dev/null || exit 1
tmp=$(mktemp -d /tmp/feedd-big.XXXXXX) || exit 1
trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/www"
python3 - "build/bench/real-300" "$tmp/www" "$N" <<'PY' || exit 1
import glob, re, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ns = {'content': 'http://purl.org/rss/1.0/modules/content/',
      'dc': 'http://purl.org/dc/elements/1.1/',
      'atom': 'http://www.w3.org/2005/Atom',
      'media': 'http://search.yahoo.com/mrss/',
      'slash': 'http://purl.org/rss/1.0/modules/slash/',
      'wfw': 'http://wellformedweb.org/CommentAPI/'}
items = []
for path in sorted(glob.glob(src + '/feed-*.xml')):
    text = open(path, encoding='utf-8', errors='replace').read()
    if '<rss' not in text[:2000]:
        continue
    for it in re.findall(r'<item>.*?</item>', text, re.S):
        if set(re.findall(r'</?(\w+):', it)) <= set(ns):
            items.append(it)
guid = re.compile(r'<guid[^>]*>.*?</guid>', re.S)
link = re.compile(r'<link>.*?</link>', re.S)
head = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ' +
        ' '.join('xmlns:%s="%s"' % kv for kv in ns.items()) +
        '><channel><title>Big feed %d</title><link>https://big%d.example/'
        '</link><description>Real items, repeated</description>\n')
total_items = total_bytes = 0
for f in range(n):
    parts, size, k = [head % (f, f)], 0, 0
    while size < 9_500_000:
        it = items[k % len(items)]
        it = guid.sub('', it).replace('<item>', '<item><guid isPermaLink='
            '"false">big-%d-%d</guid>' % (f, k), 1)
        it = link.sub('<link>https://big%d.example/%d</link>' % (f, k), it)
        parts.append(it + '\n')
        size += len(it.encode()) + 1
        k += 1
    parts.append('</channel></rss>\n')
    data = ''.join(parts).encode()
    open('%s/big-%d.xml' % (out, f), 'wb').write(data)
    total_items += k
    total_bytes += len(data)
print('corpus: %d feeds of %.1f MB, %d items each (%d distinct real items'
      ' of the 300-feed corpus, %d bytes each on average)' % (n,
      total_bytes / n / 1e6, total_items // n, len(items),
      sum(len(i) for i in items) // len(items)))
PY
build/testsrv "$tmp/www" > "$tmp/port" 2>/dev/null &
srv=$!
while [ ! -s "$tmp/port" ]; do kill -0 $srv || exit 1; sleep 0.1; done
port=$(head -1 "$tmp/port")

# config NAME FEEDS
config() {
	{
		printf '[daemon]\nstate_dir = state-%s\nconcurrency = 16\n' "$1"
		printf 'per_host = 16\nlog_level = warning\n\n'
		printf '[output]\natom = feed-%s.xml\n\n' "$1"
		printf '[alerts]\nlog = alerts-%s.log\n\n' "$1"
		printf '[alert "ai-cn"]\nmatch = 人工智能 OR "open source"\n\n'
		i=0
		while [ $i -lt "$2" ]; do
			printf '[feed "big %d"]\nurl = http://127.0.0.1:%s/big-%d.xml\n\n' \
			    $i "$port" $i
			i=$((i + 1))
		done
	} > "$tmp/$1.conf"
}

printf '%-10s %8s %8s %10s %10s\n' run feeds "wall s" "cpu s" "peak MB"
for run in one:1 all:"$N"; do
	name=${run%%:*} feeds=${run#*:}
	config "$name" "$feeds"
	(cd "$tmp" && /usr/bin/time -f '%e %U %S %M' -o time "$FEEDD" once \
	    -c "$name.conf" > out 2> err) || { cat "$tmp/err"; exit 1; }
	grep -q ' 0 failed' "$tmp/out" || { cat "$tmp/out" "$tmp/err"; exit 1; }
	set -- $(tail -1 "$tmp/time")
	printf '%-10s %8s %8s %10s %10.1f\n' "$name" "$feeds" "$1" \
	    "$(echo "$2 $3" | awk '{print $1 + $2}')" "$(echo "$4" |
	    awk '{print $1 / 1024}')"
done
