#!/usr/bin/env python3
"""group-stories: story grouping through the real pipeline.

  group-stories.py build TSV DIR [--same-time]
      writes DIR/feeds/N.xml, one RSS 2.0 feed per publisher of TSV
      (title, url, publisher, story, timestamp_ms: as in
      ../shared/data/news-stories), and DIR/feedd.conf polling them
      all over file://.  pubDate is the row's timestamp, or with
      --same-time one date for all (the set's timestamps are per-story
      collection times: a time gap would read the labels).
  group-stories.py score TSV CONF [FEEDD]
      reads which story feedd put each item in (`feedd items --json`,
      matched to the rows by feed and link) and prints purity (share of
      items whose story's majority label is their own) and coverage
      (share of items in a story of two or more).
"""
import collections
import email.utils
import os
import json
import subprocess
import sys
from xml.sax.saxutils import escape


def rows(tsv):
    with open(tsv, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            yield dict(zip(head, line.rstrip("\n").split("\t")))


def build(tsv, out, same_time):
    pubs = collections.defaultdict(list)
    for r in rows(tsv):
        pubs[r["publisher"]].append(r)
    os.makedirs(os.path.join(out, "feeds"), exist_ok=True)
    conf = ["[daemon]", "state_dir = " + os.path.join(out, "state"),
            "concurrency = 16", "", "[output]", "atom = feed.xml",
            "json = feed.json", "max_entries = 5000", ""]
    t0 = min(int(r["timestamp_ms"]) for p in pubs.values() for r in p)
    for n, (pub, items) in enumerate(sorted(pubs.items())):
        path = os.path.join(out, "feeds", "%d.xml" % n)
        with open(path, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                    '<rss version="2.0"><channel><title>%s</title>'
                    '<link>http://example.org/%d</link>'
                    '<description>%s</description>\n'
                    % (escape(pub), n, escape(pub)))
            for r in items:
                ms = t0 if same_time else int(r["timestamp_ms"])
                f.write("<item><title>%s</title><link>%s</link>"
                        "<guid isPermaLink=\"false\">%s</guid>"
                        "<pubDate>%s</pubDate></item>\n" % (
                            escape(r["title"]), escape(r["url"]),
                            escape(r["url"] + "#" + str(n)),
                            email.utils.formatdate(ms / 1000, usegmt=True)))
            f.write("</channel></rss>\n")
        name = pub.replace('"', "'").replace("\\", "/")
        conf += ['[feed "%s"]' % name, "url = file://" + os.path.abspath(path), ""]
    with open(os.path.join(out, "feedd.conf"), "w", encoding="utf-8") as f:
        f.write("\n".join(conf))


def score(tsv, conf, feedd):
    label = {}
    for r in rows(tsv):
        label[(r["publisher"].replace('"', "'").replace("\\", "/"), r["url"])] = r["story"]
    out = subprocess.run([feedd, "items", "-c", conf, "--json", "--limit",
                          "100000000"], check=True, capture_output=True,
                         text=True).stdout
    groups = collections.defaultdict(list)
    n = 0
    for line in out.splitlines():
        it = json.loads(line)
        lab = label.get((it["feed"], it["link"]))
        if lab is None:
            continue
        groups[it["story"]].append(lab)
        n += 1
    pure = sum(collections.Counter(g).most_common(1)[0][1]
               for g in groups.values())
    cov = sum(len(g) for g in groups.values() if len(g) > 1)
    print("items %d stories %d purity %.3f coverage %.3f" % (
        n, len(groups), pure / n, cov / n))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3], "--same-time" in sys.argv[4:])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3],
              sys.argv[4] if len(sys.argv) == 5 else "build/feedd")
    else:
        sys.exit(__doc__)
