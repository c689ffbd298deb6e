#!/bin/sh
# bench/readers/readers.sh [WORKDIR]: feedd's whole-corpus output read by
# real readers, entry by entry (bench/readers/compare.py).  Builds feedd,
# writes every feed document of $FEEDD_SHARED/corpus (default
# ../shared) into one feed.xml and feed.json (max_entries 100000, as
# tests/corpus_faithful.py does), validates both with validate-feed,
# installs the readers (Debian packages through apt, npm ones through
# `npm ci` here), builds the gofeed reader, then compares.
# Not part of make test: the npm readers need the npm registry.
set -eu
cd "$(dirname "$0")/../.."
SHARED=${FEEDD_SHARED:-$(cd .. && pwd)/shared}
W=$(realpath -m "${1:-build/readers-w}")
PKGS="sfeed newsboat python3-feedparser golang-go golang-github-mmcdole-gofeed-dev
libxml-feed-perl ruby php-cli php-xml php-mbstring libphp-simplepie"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
command -v node >/dev/null && command -v npm >/dev/null ||
	{ echo "readers.sh: needs node and npm (not installed here through apt)" >&2; exit 2; }
(cd bench/readers && npm ci --no-audit --no-fund >/dev/null)
mkdir -p build/readers
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$PWD/build/readers/gocache \
	go build -p 2 -o build/readers/read_gofeed bench/readers/read_gofeed.go
make -j2 build/feedd >/dev/null

rm -rf "$W" && mkdir -p "$W"
/usr/bin/python3 -c "import sys; sys.path.insert(0, 'tests'); import corpus_faithful as c; \
c.write_config(sys.argv[1], sys.argv[2], c.corpus_rows(sys.argv[2]))" "$W" "$SHARED"
build/feedd -c "$W/feedd.conf" once || true	# one corpus file is a truncated JSON Feed
"$SHARED/tools/validate-feed" "$W/feed.xml" | tail -1
"$SHARED/tools/validate-feed" "$W/feed.json" | tail -1
/usr/bin/python3 bench/readers/compare.py "$W"
