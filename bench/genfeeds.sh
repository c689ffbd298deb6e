#!/bin/sh
# genfeeds.sh DIR N: writes N realistic RSS 2.0 feeds DIR/feed-I.xml
# (20-50 items each, titles, links, guids, dates, HTML descriptions),
# deterministic for a given N.  Used by bench/daemon.sh.
dir=$1 n=$2
mkdir -p "$dir" || exit 1
awk -v dir="$dir" -v n="$n" 'BEGIN {
	srand(42)
	split("model release open weights benchmark chip startup funding " \
	    "research policy agent robotics inference training dataset " \
	    "security compiler kernel database browser cloud", w, " ")
	split("Mon Tue Wed Thu Fri Sat Sun", dn, " ")
	split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mn, " ")
	for (f = 0; f < n; f++) {
		file = dir "/feed-" f ".xml"
		items = 20 + int(rand() * 31)
		printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" > file
		printf "<rss version=\"2.0\"><channel>\n<title>Bench feed %d</title>\n", f > file
		printf "<link>https://site%d.example.org/</link>\n", f > file
		printf "<description>Generated feed %d for the feedd benchmark</description>\n", f > file
		printf "<language>en</language><ttl>30</ttl>\n" > file
		for (i = 0; i < items; i++) {
			t = ""
			for (k = 0; k < 6; k++)
				t = t " " w[1 + int(rand() * 20)]
			day = 1 + int(rand() * 28)
			printf "<item><title>%s %d-%d</title>\n", substr(t, 2), f, i > file
			printf "<link>https://site%d.example.org/posts/%d-%d?utm_source=rss</link>\n", f, f, i > file
			printf "<guid isPermaLink=\"false\">site%d-post-%d</guid>\n", f, i > file
			printf "<pubDate>%s, %02d %s 2026 %02d:%02d:00 GMT</pubDate>\n", dn[1 + day % 7], day, mn[1 + int(rand() * 11)], int(rand() * 24), int(rand() * 60) > file
			printf "<description><![CDATA[<p>Story %d of feed %d about%s.</p><p>More on <a href=\"https://site%d.example.org/\">the site</a>.</p>]]></description></item>\n", i, f, t, f > file
		}
		printf "</channel></rss>\n" > file
		close(file)
	}
}'
